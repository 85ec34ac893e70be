"""Deep zoom: square tiles of a virtual (w*zoom) x (h*zoom) render, computed only where someone looks.

A tile is a window of that virtual output (see :mod:`liif.core.render`), so it equals the same crop of a full
render of that size; a viewer can show the photo at x32 without the 15360x11520 output ever existing.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from liif.core.grid import LatentGrid, Progress, Views
from liif.core.model import LIIF
from liif.core.render import Box, iter_rows
from liif.io.output import assemble_uint8
from liif.views.compare import resample_window, zoom_size

MAX_ZOOM = 32  # the deepest zoom served, in multiples of the photo's own size
TILE_SIZES = (16, 1024)  # smallest and largest tile side


def tile_box(width: int, height: int, zoom: float, col: int, row: int, size: int) -> Box:
    """The window ``[col*size, row*size, +size)`` of the virtual output, cut at its right and bottom edges.

    Raises ``ValueError`` with one line for a zoom, size or tile that does not exist.
    """
    if not (math.isfinite(zoom) and 0 < zoom <= MAX_ZOOM):
        raise ValueError(f"zoom must be above 0 and at most {MAX_ZOOM}, got {zoom:g}")
    if not TILE_SIZES[0] <= size <= TILE_SIZES[1]:
        raise ValueError(f"tile size must be {TILE_SIZES[0]} to {TILE_SIZES[1]} pixels, got {size}")
    virtual_w, virtual_h = zoom_size(width, height, zoom)
    cols, rows = math.ceil(virtual_w / size), math.ceil(virtual_h / size)
    if not (0 <= col < cols and 0 <= row < rows):
        raise ValueError(
            f"tile ({col}, {row}) is outside the {virtual_w}x{virtual_h} output at x{zoom:g}: "
            f"columns 0-{cols - 1}, rows 0-{rows - 1}"
        )
    left, top = col * size, row * size
    return left, top, min(left + size, virtual_w), min(top + size, virtual_h)


def render_tile(
    model: LIIF,
    grid: LatentGrid | Views,
    width: int,
    height: int,
    zoom: float,
    col: int,
    row: int,
    size: int = 256,
    *,
    precision: str = "auto",
    progress: Progress | None = None,
) -> np.ndarray:
    """One LIIF tile of a ``width`` x ``height`` photo at ``zoom``, as (rows, cols, 3) uint8."""
    box = tile_box(width, height, zoom, col, row, size)
    left, top, right, bottom = box
    rows = iter_rows(model, grid, *zoom_size(width, height, zoom), box=box, precision=precision, progress=progress)
    return assemble_uint8(rows, right - left, bottom - top)


def resample_tile(photo: Image.Image, zoom: float, col: int, row: int, size: int = 256, *, method: str) -> Image.Image:
    """The same tile by a classic filter (``bicubic`` or ``nearest``), for side-by-side comparison."""
    box = tile_box(photo.width, photo.height, zoom, col, row, size)
    return resample_window(photo, *zoom_size(photo.width, photo.height, zoom), box, method)
