"""Continuous coordinates: the image domain is [-1, 1]^2 and points are ordered (y, x).

Pixel centres are computed with the same float32 arithmetic as the official ``make_coord`` so renders and
latent-cell centres agree with it to the last bit, not just to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Transform:
    """One of the 8 flips and transposes of an image, as the encoder saw it (the self-ensemble's views).

    The view is the image flipped (rows if ``flip_y``, columns if ``flip_x``) and then transposed. A point
    of the original image sits in the view at the point :meth:`points` gives, so querying the view there
    asks about the same spot; no output image is ever flipped back.
    """

    flip_y: bool = False
    flip_x: bool = False
    transpose: bool = False

    @property
    def is_identity(self) -> bool:
        return not (self.flip_y or self.flip_x or self.transpose)

    def image(self, image: torch.Tensor) -> torch.Tensor:
        """The view of a (C, H, W) image."""
        if self.flip_y:
            image = image.flip(-2)
        if self.flip_x:
            image = image.flip(-1)
        return image.transpose(-2, -1) if self.transpose else image

    def points(self, coords: torch.Tensor) -> torch.Tensor:
        """(N, 2) (y, x) points of the image in [-1, 1]^2, where they sit in the view."""
        if self.is_identity:
            return coords
        y, x = coords[:, 0], coords[:, 1]
        y, x = (-y if self.flip_y else y), (-x if self.flip_x else x)
        return torch.stack((x, y) if self.transpose else (y, x), dim=1)

    def cell(self, cell: tuple[float, float]) -> tuple[float, float]:
        """An output pixel's (height, width) in the view: a transpose swaps them."""
        return (cell[1], cell[0]) if self.transpose else cell


IDENTITY = Transform()
# Identity first: a self-ensemble of n views uses the first n.
TRANSFORMS = tuple(
    Transform(flip_y, flip_x, transpose)
    for transpose in (False, True)
    for flip_y in (False, True)
    for flip_x in (False, True)
)
