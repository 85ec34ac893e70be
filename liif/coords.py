"""Continuous coordinates: the image domain is [-1, 1]^2 and points are ordered (y, x).

Pixel centres are computed with the same float32 arithmetic as the official ``make_coord`` so renders and
latent-cell centres agree with it to the last bit, not just to rounding.
"""

from __future__ import annotations

import torch


def pixel_centres(n: int, start: int = 0, stop: int | None = None, device: torch.device | str = "cpu") -> torch.Tensor:
    """Centres of pixels ``start..stop-1`` of an ``n``-pixel axis: ``-1 + (2i+1)/n`` as float32."""
    stop = n if stop is None else stop
    radius = 1.0 / n
    index = torch.arange(start, stop, device=device, dtype=torch.float32)
    return (-1.0 + radius) + (2 * radius) * index


def cell_centres(index: torch.Tensor, n: int) -> torch.Tensor:
    """Centres of the cells at integer ``index`` on an ``n``-cell axis, identical to :func:`pixel_centres`."""
    radius = 1.0 / n
    return (-1.0 + radius) + (2 * radius) * index.to(torch.float32)


def grid_points(ys: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """All (y, x) pairs of two axes, row-major, as an (len(ys) * len(xs), 2) tensor."""
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((yy, xx), dim=-1).reshape(-1, 2)


def render_cell(height: int, width: int) -> tuple[float, float]:
    """The cell (pixel size in [-1, 1] units) of an output of ``height`` x ``width`` pixels."""
    return (2 / height, 2 / width)
