"""The app's limits and defaults, from flags and environment variables (see the README's Limits)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from liif.sources import MODEL_NAMES


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class AppConfig:
    model: str | None = None  # default model name or path; None: LIIF_WEIGHTS or edsr-baseline-liif
    device: str = "auto"
    max_output_pixels: int = _env_int("LIIF_APP_MAX_OUTPUT_PIXELS", 8_000_000)
    max_input_pixels: int = _env_int("LIIF_APP_MAX_INPUT_PIXELS", 4_000_000)
    max_upload: str = os.environ.get("LIIF_APP_MAX_UPLOAD", "25mb")
    max_crop_render: int = 512  # longest side of a rendered comparison crop, in pixels
    concurrency: int = _env_int("LIIF_APP_CONCURRENCY", 1)
    queue_size: int = _env_int("LIIF_APP_QUEUE_SIZE", 16)
    cache_grids: int = 4  # latent grids kept per (image, model)

    @property
    def model_choices(self) -> list[str]:
        extra = [self.model] if self.model and self.model not in MODEL_NAMES else []
        return [*MODEL_NAMES, *extra]

    @property
    def default_model(self) -> str:
        return self.model or os.environ.get("LIIF_WEIGHTS") or MODEL_NAMES[0]
