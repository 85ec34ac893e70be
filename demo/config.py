"""The app's limits and defaults, from flags and environment variables (see the README's Limits).

Environment variables are read when an :class:`AppConfig` is made, not when this module is imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from liif.core.coords import TRANSFORMS
from liif.weights.sources import default_model

GRID_BYTES_PER_PIXEL = 64 * 4  # a latent code: 64 float32 numbers per input pixel


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _from_env(name: str, default: int) -> int:
    return field(default_factory=lambda: _env_int(name, default))


@dataclass(frozen=True)
class AppConfig:
    model: str | None = None  # default model name or path; None: LIIF_WEIGHTS or edsr-baseline-liif
    device: str = "auto"
    max_output_pixels: int = _from_env("LIIF_APP_MAX_OUTPUT_PIXELS", 8_000_000)
    max_input_pixels: int = _from_env("LIIF_APP_MAX_INPUT_PIXELS", 4_000_000)
    max_upload: str = field(default_factory=lambda: os.environ.get("LIIF_APP_MAX_UPLOAD", "25mb"))
    max_crop_render: int = 512  # longest side of a rendered comparison crop, in pixels
    concurrency: int = _from_env("LIIF_APP_CONCURRENCY", 1)
    queue_size: int = _from_env("LIIF_APP_QUEUE_SIZE", 16)
    cache_grids: int = 4  # latent grids kept per (image, model)
    grid_cache_bytes: int = _from_env("LIIF_APP_GRID_CACHE_BYTES", 1 << 30)  # and at most this many bytes of them
    tile_cache_bytes: int = _from_env("LIIF_APP_TILE_CACHE_BYTES", 64 * 2**20)  # deep-zoom tiles kept, in bytes

    @property
    def max_best_input_pixels(self) -> int:
        """The largest photo LIIF+ takes: its 8 latent grids (64 floats per pixel each) fit the grid budget, so a
        request never holds more than that budget in grids."""
        return self.grid_cache_bytes // (len(TRANSFORMS) * GRID_BYTES_PER_PIXEL)

    @property
    def default_model(self) -> str:
        return self.model or default_model()
