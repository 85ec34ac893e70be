"""Whole renders and windows of a virtual W x H output, built on the point queries of :mod:`liif.core.query`.

A window is the same set of pixel centres the full render would query, so it equals the crop of the full
render exactly; a x30 output can be explored window by window without ever existing whole.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch

from liif.core.coords import grid_points, pixel_centres, render_cell
from liif.core.enlarge import Box, iter_enlarged, plan_size
from liif.core.grid import LatentGrid, Progress, Views, as_views, encode
from liif.core.model import LIIF
from liif.core.query import BAND, query_points


def window(box: Box | None, width: int, height: int) -> Box:
    """The checked window of a W x H output; ``None`` means all of it."""
    if width < 1 or height < 1:
        raise ValueError(f"output size must be at least 1x1, got {width}x{height}")
    if box is None:
        return (0, 0, width, height)
    left, top, right, bottom = box
    if not (0 <= left < right <= width and 0 <= top < bottom <= height):
        raise ValueError(f"window {box} is not inside a {width}x{height} output")
    return box


def iter_rows(
    model: LIIF,
    grid: LatentGrid | Views,
    width: int,
    height: int,
    *,
    box: Box | None = None,
    precision: str = "auto",
    progress: Progress | None = None,
    cell: tuple[float, float] | None = None,
    band: int = BAND,
) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield ``(first_row, rgb)`` bands of a window (default: all) of the W x H render, clamped to [0, 1].

    Rows are relative to the window; each band is (rows, window width, 3) float32 on the CPU, so a caller
    can write them out without ever holding the whole float image. ``cell`` overrides the pixel size the
    MLP is told (default: the true one, 2/H x 2/W), to show what cell decoding does. ``band`` is about how
    many pixels each band holds: smaller bands reach the caller sooner (a live view), larger ones waste less.

    Under ``auto`` an output more than :data:`liif.core.enlarge.DETAIL_SCALE` times the photo on a side is
    LIIF's render at that scale, enlarged (:mod:`liif.core.enlarge`); :func:`plan` says which.
    """
    box = window(box, width, height)
    source = plan(grid, width, height, precision) if cell is None else (width, height)
    if source == (width, height):
        yield from _liif_rows(model, grid, width, height, box, precision, progress, cell, band)
        return
    total = (box[2] - box[0]) * (box[3] - box[1])

    def rows_of(source_box: Box) -> Iterator[tuple[int, torch.Tensor]]:
        def scaled(done: int, of: int) -> None:
            if progress:
                progress(done * total // of, total)

        return _liif_rows(model, grid, *source, source_box, precision, scaled, None, band)

    yield from iter_enlarged(width, height, source, box, rows_of)


def plan(grid: LatentGrid | Views, width: int, height: int, precision: str = "auto") -> tuple[int, int]:
    """The size LIIF renders for a W x H output: W x H itself, or under ``auto`` no side past the detail scale."""
    image = as_views(grid)[0]
    assert image.transform.is_identity, "the first view of a self-ensemble is the image itself"
    return plan_size(width, height, image.width, image.height, precision)


def _liif_rows(
    model: LIIF,
    grid: LatentGrid | Views,
    width: int,
    height: int,
    box: Box,
    precision: str,
    progress: Progress | None,
    cell: tuple[float, float] | None,
    band: int,
) -> Iterator[tuple[int, torch.Tensor]]:
    left, top, right, bottom = box
    device = as_views(grid)[0].features.device
    xs = pixel_centres(width, left, right, device=device)
    cols = right - left
    rows_per_band = max(1, band // cols)
    total = (bottom - top) * cols
    cell = cell or render_cell(height, width)
    for y0 in range(top, bottom, rows_per_band):
        y1 = min(y0 + rows_per_band, bottom)
        ys = pixel_centres(height, y0, y1, device=device)
        done = (y0 - top) * cols

        def band_progress(n: int, of: int, done: int = done, pixels: int = (y1 - y0) * cols) -> None:
            if progress:  # n of ``of`` queries: ``of`` is the band's pixels times the views of a self-ensemble
                progress(done + n * pixels // of, total)

        rgb = query_points(model, grid, grid_points(ys, xs), cell, precision=precision, progress=band_progress)
        yield y0 - top, rgb.clamp_(0, 1).view(y1 - y0, cols, 3).cpu()


def render(
    model: LIIF,
    grid: LatentGrid | Views,
    width: int,
    height: int,
    *,
    box: Box | None = None,
    precision: str = "auto",
    progress: Progress | None = None,
    cell: tuple[float, float] | None = None,
) -> torch.Tensor:
    """The W x H render (or a window of it) as an (H, W, 3) float32 tensor in [0, 1]."""
    left, top, right, bottom = window(box, width, height)
    out = torch.empty((bottom - top, right - left, 3))
    rows = iter_rows(model, grid, width, height, box=box, precision=precision, progress=progress, cell=cell)
    for row, rgb in rows:
        out[row : row + rgb.shape[0]] = rgb
    return out


def measure_rate(model: LIIF, precision: str = "auto", size: int = 96) -> float:
    """Output pixels per second of a render from a cached grid, on this machine (a ``size``² render of noise).

    The app calibrates its time estimates with it at start-up; ``python -m liif info`` prints it.
    """
    generator = torch.Generator().manual_seed(0)
    grid = encode(model, torch.rand((3, size // 3, size // 3), generator=generator), precision=precision)
    render(model, grid, 16, 16, precision=precision)  # warm-up: first calls pay one-off costs
    start = time.perf_counter()
    render(model, grid, size, size, precision=precision)
    return size * size / (time.perf_counter() - start)
