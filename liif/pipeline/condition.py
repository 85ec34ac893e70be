"""What a photo has been through, read off its file and its pixels, and the model that suits it.

The paper's LIIF learned to undo a clean bicubic shrink; on a JPEG or a noisy photo it sharpens the blocks and
the grain. This project's LIIF for real photos learned to remove them (``training/``). A photo is examined once:

* a JPEG's quality, from its luminance quantisation table (the nearest of libjpeg's scaled standard tables; other
  encoders' tables land on a comparable quality);
* the noise, a robust estimate: Immerkaer's noise operator on each channel, read in its quietest blocks, where
  texture adds least;
* the blockiness on the 8x8 grid, which a PNG or WebP that was once a JPEG still shows.

``auto`` then takes the real-photo model for a compressed or noisy photo and the paper's for a clean one.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from liif.core.metrics import blockiness
from liif.weights.sources import DEFAULT_MODEL, REAL_PHOTOS_MODEL

PAPER_MODEL, REAL_MODEL = DEFAULT_MODEL, REAL_PHOTOS_MODEL
# Below these a photo counts as compressed or noisy (measured on held-out photos: docs/real-photos.md).
CLEAN_QUALITY = 90  # JPEG quality from the file's tables
CLEAN_NOISE = 5.0  # noise sigma, levels of 255: a leafy photo of 100 px reads up to 4.3 without any
CLEAN_BLOCKINESS = 1.3  # steps on the 8x8 grid over steps elsewhere, for files that keep no tables
SAMPLE = 1024  # the examined window's side: a large photo is read in its central 1024x1024
BLOCK = 4  # the side of the blocks the noise is read in, pixels
QUIET_SHARE = 0.02  # the share of blocks, quietest first, that the noise is read in: a leafy photo has few flat ones
QUIET_BIAS = 0.64  # what the quietest 2 % of pure noise's blocks read, of its sigma (tests/test_real_photos.py)


class PhotoChoice(Enum):
    """Which model a render uses: chosen from the photo (auto), or as the person says."""

    AUTO = "auto"
    CLEAN = "clean"
    REAL = "real"


@dataclass(frozen=True)
class Condition:
    jpeg_quality: int | None  # None: not a JPEG file
    noise: float  # sigma, levels of 255
    blockiness: float  # 1.0: no 8x8 grid

    @property
    def compressed(self) -> bool:
        if self.jpeg_quality is not None:
            return self.jpeg_quality < CLEAN_QUALITY
        return self.blockiness >= CLEAN_BLOCKINESS

    @property
    def noisy(self) -> bool:
        return self.noise >= CLEAN_NOISE

    @property
    def real(self) -> bool:
        return self.compressed or self.noisy

    def describe(self) -> str:
        """What was found, in a person's words ("This photo is ...")."""
        if self.jpeg_quality is not None:
            found = [f"a JPEG at about quality {self.jpeg_quality}"]
        elif self.compressed:
            found = ["once a JPEG (its 8x8 blocks show)"]
        else:
            found = []
        if self.noisy:
            found.append(f"noisy (about {self.noise:.0f} levels of 255)")
        return ", and ".join(found) or "clean (no JPEG blocks, little noise)"


@functools.cache
def _ijg_tables() -> dict[int, np.ndarray]:
    """libjpeg's luminance table at every quality, as Pillow writes it (and reads it back, in natural order)."""
    tables = {}
    for quality in range(1, 101):
        out = io.BytesIO()
        Image.new("L", (8, 8)).save(out, format="JPEG", quality=quality)
        with Image.open(out) as image:
            tables[quality] = np.asarray(image.quantization[0], dtype=np.float64)  # type: ignore[attr-defined]
    return tables


def jpeg_quality(tables: Mapping[int, Sequence[int]]) -> int:
    """The quality whose libjpeg luminance table is nearest the file's (ties: the higher quality)."""
    luma = np.asarray(tables[0], dtype=np.float64)
    return min(_ijg_tables().items(), key=lambda item: (float(np.abs(item[1] - luma).sum()), -item[0]))[0]


def _window(rgb: torch.Tensor) -> torch.Tensor:
    """The central :data:`SAMPLE` square of (3, H, W) RGB in [0, 1], in levels of 255."""
    height, width = rgb.shape[-2:]
    top, left = max(0, (height - SAMPLE) // 2), max(0, (width - SAMPLE) // 2)
    return rgb[:, top : top + SAMPLE, left : left + SAMPLE].double() * 255


def noise_level(rgb: torch.Tensor) -> float:
    """The noise sigma (levels of 255, per channel) of (3, H, W) RGB in [0, 1]: Immerkaer's operator (the
    difference of two Laplacians, blind to planes and slopes) on each channel, its mean magnitude per 4x4 block,
    read in the quietest 2 % of the blocks (texture adds to the rest) and corrected for reading the quietest."""
    window = _window(rgb)
    if min(window.shape[-2:]) < 10:
        return 0.0
    kernel = torch.tensor([[1.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 1.0]], dtype=torch.float64)
    response = F.conv2d(window[:, None], kernel[None, None]).abs().mean(dim=0)  # (1, H-2, W-2)
    blocks = F.avg_pool2d(response[None], BLOCK).flatten()
    quiet = blocks.sort().values[: max(1, math.ceil(QUIET_SHARE * blocks.numel()))]
    # E|N(0, 6 sigma)| = 6 sigma sqrt(2 / pi); the quietest blocks of pure noise read QUIET_BIAS of it.
    return float(quiet.mean()) * math.sqrt(math.pi / 2) / 6 / QUIET_BIAS


def examine(rgb: torch.Tensor, tables: Mapping[int, Sequence[int]] | None = None) -> Condition:
    """A photo's condition from its (3, H, W) RGB in [0, 1] and, for a JPEG file, its quantisation tables."""
    height, width = rgb.shape[-2:]
    grid = blockiness(rgb.permute(1, 2, 0).numpy(), 8) if min(height, width) > 16 else 1.0
    return Condition(jpeg_quality(tables) if tables else None, noise_level(rgb), grid)


def model_for(condition: Condition, choice: PhotoChoice = PhotoChoice.AUTO) -> str:
    """The model for a photo: the paper's for a clean one, the real-photo model for a compressed or noisy one."""
    if choice is PhotoChoice.AUTO:
        return REAL_MODEL if condition.real else PAPER_MODEL
    return REAL_MODEL if choice is PhotoChoice.REAL else PAPER_MODEL


MODEL_WORDS = {PAPER_MODEL: "the paper's LIIF", REAL_MODEL: "LIIF for real photos"}


def reason(condition: Condition, model: str, choice: PhotoChoice = PhotoChoice.AUTO) -> str:
    """What was found and which model renders it, in a person's words, for a status line or a CLI note."""
    found = f"This photo is {condition.describe()}"
    if choice is not PhotoChoice.AUTO:
        return f"{found}; using {MODEL_WORDS.get(model, model)}, as chosen."
    if model == REAL_MODEL:
        return f"{found}: using LIIF for real photos, which removes the blocks and noise instead of sharpening them."
    return f"{found}: using the paper's LIIF, the sharpest on clean photos."
