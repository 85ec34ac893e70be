"""Past the scale where LIIF adds detail: LIIF renders the output at DETAIL_SCALE times the photo, and a
cubic filter enlarges that render to the size asked for.

LIIF's detail comes from its latent codes up to about its training range (x1-x4); well past it the
function it draws is smooth, so sampling it more densely than x8 adds pixels and no detail.
``benchmarks/bench_detail.py`` measures it on the example photos: x8 enlarged to x12 / x16 / x32 is
about 50 dB PSNR from the exact LIIF render and no worse against the ground truth, for 2-16x fewer LIIF
pixels; x4 enlarged to x8 is visibly softer. ``auto`` takes this path, ``exact`` never does.

The filter's taps and weights depend only on an output pixel's own index, and its sums run in a fixed
order, so a window of the enlarged output equals the same crop of the whole enlarged output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

DETAIL_SCALE = 8  # LIIF renders no side more than this many times the photo's under ``auto``
CUBIC_A = -0.5  # Keys' cubic, as PIL's and Photoshop's bicubic

Box = tuple[int, int, int, int]  # left, top, right, bottom in output pixels, right/bottom exclusive
Rows = Iterator[tuple[int, torch.Tensor]]


def capped_size(width: int, height: int, image_width: int, image_height: int, cap: int) -> tuple[int, int]:
    """A W x H output's size with no side more than ``cap`` times the photo's."""
    return min(width, cap * image_width), min(height, cap * image_height)


def detail_size(width: int, height: int, image_width: int, image_height: int) -> tuple[int, int]:
    """The LIIF render behind a W x H output under ``auto``: each side at most DETAIL_SCALE times the photo's."""
    return capped_size(width, height, image_width, image_height, DETAIL_SCALE)


def plan_size(width: int, height: int, image_width: int, image_height: int, precision: str) -> tuple[int, int]:
    """The size LIIF renders for a W x H output of a photo: W x H itself, or under ``auto`` no side past the
    detail scale."""
    return detail_size(width, height, image_width, image_height) if precision == "auto" else (width, height)


def describe(width: int, height: int, image_width: int, image_height: int, source: tuple[int, int]) -> str | None:
    """In words, for a status line or the CLI: what LIIF rendered for a W x H output, when it is enlarged."""
    if source == (width, height):
        return None
    scale = max(width / image_width, height / image_height)
    fewer = width * height / (source[0] * source[1])
    return (
        f"x{scale:.3g}: LIIF at x{DETAIL_SCALE} ({source[0]}x{source[1]}), enlarged: the same picture "
        f"about {fewer:.0f}x sooner (LIIF adds no detail past x{DETAIL_SCALE}; exact renders every pixel)"
    )


def _cubic(t: torch.Tensor) -> torch.Tensor:
    t = t.abs()
    near = ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1
    far = ((t - 5) * t + 8) * t * CUBIC_A - 4 * CUBIC_A
    return torch.where(t <= 1, near, torch.where(t < 2, far, torch.zeros_like(t)))


@dataclass(frozen=True)
class Taps:
    """The four source pixels and weights behind each output pixel of ``[start, stop)`` on one axis."""

    index: torch.Tensor  # (n, 4) source indices, clamped to the edge
    weight: torch.Tensor  # (n, 4) float32, summing to 1

    @property
    def first(self) -> int:
        return int(self.index[0, 0])

    @property
    def last(self) -> int:
        return int(self.index[-1, 3])


def taps(out_size: int, src_size: int, start: int, stop: int) -> Taps:
    """Cubic taps for output pixels ``start..stop-1`` of an axis enlarged from ``src_size`` to ``out_size``."""
    centre = (torch.arange(start, stop, dtype=torch.float64) + 0.5) * (src_size / out_size) - 0.5
    base = torch.floor(centre)
    offsets = torch.arange(-1, 3, dtype=torch.float64)
    weight = _cubic(centre[:, None] - (base[:, None] + offsets))
    weight /= weight.sum(dim=1, keepdim=True)
    index = (base[:, None] + offsets).clamp(0, src_size - 1).long()
    return Taps(index, weight.float())


def _apply(source: torch.Tensor, taps: Taps, offset: int, dim: int) -> torch.Tensor:
    """Resample ``source`` along ``dim``, whose index 0 is source pixel ``offset``: four products summed in order."""
    shape = [1] * source.ndim
    shape[dim] = -1
    out = None
    for k in range(4):
        term = source.index_select(dim, taps.index[:, k] - offset) * taps.weight[:, k].view(shape)
        out = term if out is None else out.add_(term)
    assert out is not None
    return out


def iter_enlarged(width: int, height: int, source: tuple[int, int], box: Box, rows_of: Callable[[Box], Rows]) -> Rows:
    """Row bands of the window ``box`` of the W x H enlargement of a ``source`` (w, h) render, clamped to [0, 1].

    ``rows_of(source_box)`` yields the bands of that window of the source render; each source row is
    rendered once, and an output band goes out as soon as the source rows under it are in.
    """
    left, top, right, bottom = box
    src_w, src_h = source
    across = taps(width, src_w, left, right) if src_w != width else None
    down = taps(height, src_h, top, bottom) if src_h != height else None
    src_left, src_right = (across.first, across.last + 1) if across else (left, right)
    src_top, src_bottom = (down.first, down.last + 1) if down else (top, bottom)
    held = torch.empty((0, right - left, 3))  # enlarged across, source rows held_top.. held_top+len
    held_top, sent = src_top, 0
    for first, band in rows_of((src_left, src_top, src_right, src_bottom)):
        wide = _apply(band, across, src_left, dim=1).clamp_(0, 1) if across else band
        if down is None:
            yield first, wide
            continue
        held = torch.cat((held, wide))
        ready = int(torch.searchsorted(down.index[:, 3].contiguous(), held_top + len(held), side="left"))
        if ready > sent:
            due = Taps(down.index[sent:ready], down.weight[sent:ready])
            yield sent, _apply(held, due, held_top, dim=0).clamp_(0, 1)
            sent = ready
            if sent < len(down.index):
                keep = int(down.index[sent, 0])
                held, held_top = held[keep - held_top :], keep
