"""The latent grid: how LIIF holds an image, and the encoder pass that makes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from liif.core.coords import IDENTITY, TRANSFORMS, Transform
from liif.core.hardware import Compute, choose_precision
from liif.core.model import LIIF

Progress = Callable[[int, int], None]

DEFAULT_TILE = 256  # core tile side (pixels) above which the encoder runs in overlapping tiles; 256 is fastest here
# Whether ``auto`` runs the encoder in bf16 where bf16 is native. benchmarks/bench_precision.py measures the
# cost; the README gives the table. An explicit "bf16" always runs it in bf16.
ENCODER_BF16_IN_AUTO = False


@dataclass(frozen=True, eq=False)
class LatentGrid:
    """One latent code per input pixel: ``features`` is (C, h, w), float32.

    A plain value: it can be cached per (image, model) and shared by any number of renders, windows and
    point queries.
    """

    features: torch.Tensor
    transform: Transform = IDENTITY  # the view of the image these codes describe (identity: the image)

    @property
    def height(self) -> int:
        return self.features.shape[-2]

    @property
    def width(self) -> int:
        return self.features.shape[-1]

    @property
    def channels(self) -> int:
        return self.features.shape[0]


def encoder_dtype(precision: str, device: torch.device) -> torch.dtype:
    """The encoder's compute dtype for a precision name: bf16 only when asked for, or under ``auto`` if allowed."""
    bf16 = choose_precision(precision, device).compute is Compute.BF16 and (precision != "auto" or ENCODER_BF16_IN_AUTO)
    return torch.bfloat16 if bf16 else torch.float32


@torch.inference_mode()
def encode(
    model: LIIF,
    image: torch.Tensor,
    *,
    tile: int = DEFAULT_TILE,
    progress: Progress | None = None,
    precision: str = "auto",
) -> LatentGrid:
    """Encode a (3, H, W) RGB image in [0, 1] into its latent grid.

    Images larger than ``tile`` x ``tile`` are encoded in tiles, each padded by the encoder's receptive
    radius on every inner side so that every kept feature saw exactly the context it would have seen in
    one pass. Memory then depends on the tile size, not on the photo.
    """
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f"expected a (3, H, W) image tensor, got shape {tuple(image.shape)}")
    device = model.device
    height, width = image.shape[-2:]
    # Channels-last is oneDNN's native conv layout: about 20% faster on CPU than NCHW.
    normalised = ((image.to(device=device, dtype=torch.float32) - 0.5) / 0.5)[None].to(
        memory_format=torch.channels_last
    )
    dtype = encoder_dtype(precision, device) if model.encoder.supports_bfloat16 else torch.float32

    def run(batch: torch.Tensor) -> torch.Tensor:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
            return model(batch)[0].float()

    if height <= tile and width <= tile:
        features = run(normalised)
        if progress:
            progress(1, 1)
        return LatentGrid(features.contiguous())

    margin = model.encoder.receptive_radius
    features = torch.empty((model.encoder.out_dim, height, width), device=device)
    boxes = [(y, x) for y in range(0, height, tile) for x in range(0, width, tile)]
    for done, (y0, x0) in enumerate(boxes, start=1):
        y1, x1 = min(y0 + tile, height), min(x0 + tile, width)
        top, left = max(y0 - margin, 0), max(x0 - margin, 0)
        bottom, right = min(y1 + margin, height), min(x1 + margin, width)
        out = run(normalised[:, :, top:bottom, left:right])
        features[:, y0:y1, x0:x1] = out[:, y0 - top : y1 - top, x0 - left : x1 - left]
        if progress:
            progress(done, len(boxes))
    return LatentGrid(features)


Views = tuple[LatentGrid, ...]


def as_views(grid: LatentGrid | Views) -> Views:
    """One grid is a self-ensemble of one view."""
    return (grid,) if isinstance(grid, LatentGrid) else grid


def encode_views(
    model: LIIF,
    image: torch.Tensor,
    views: int = 8,
    *,
    tile: int = DEFAULT_TILE,
    progress: Progress | None = None,
    precision: str = "auto",
) -> Views:
    """The latent grids of the first ``views`` of the 8 flips/transposes of an image: the self-ensemble.

    Rendering or querying a tuple of grids averages their colours at the same points of the image (the
    "+" of EDSR+ and RCAN+), which costs ``views`` times a plain render. ``views=1`` is the plain grid.
    """
    if not 1 <= views <= len(TRANSFORMS):
        raise ValueError(f"a self-ensemble has 1 to {len(TRANSFORMS)} views, got {views}")
    grids = []
    for done, transform in enumerate(TRANSFORMS[:views]):
        grid = encode(model, transform.image(image), tile=tile, precision=precision)
        grids.append(LatentGrid(grid.features, transform))
        if progress:
            progress(done + 1, views)
    return tuple(grids)
