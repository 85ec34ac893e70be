"""Training pairs: a random photo crop, shrunk and degraded as real photos are, and the true colours to learn.

Each pair is a 48x48 low-resolution patch (LIIF's training size) cut at a random offset from a 56x56 degraded
shrink, so JPEG's 8x8 blocks fall anywhere in the patch, as they do in a crop of a real photo. The targets are
``QUERIES`` pixels of the high-resolution crop whose centres lie inside the patch, with their coordinates in
the patch's [-1, 1] frame (y, x) and the cell size, as LIIF's own training samples them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from liif.io.degrade import Blur, Chain, Chroma, Jpeg, Noise, Poisson, Step

PATCH = 48  # the low-resolution side LIIF was trained on
MARGIN = 8  # extra low-resolution pixels, cut at a random offset: JPEG blocks land anywhere
QUERIES = 1024  # high-resolution pixels learned from per patch
MAX_SCALE = 4.0
CLEAN_SHARE = 0.2  # patches left as the paper's clean bicubic shrinks, so clean photos lose nothing
KERNELS = (Image.Resampling.BICUBIC, Image.Resampling.BILINEAR, Image.Resampling.LANCZOS, Image.Resampling.BOX)
KERNEL_ODDS = (0.85, 0.05, 0.05, 0.05)  # the paper's bicubic most often: what people's photo tools shrink with


@dataclass(frozen=True)
class Pair:
    patch: torch.Tensor  # (3, PATCH, PATCH) in [0, 1]
    coords: torch.Tensor  # (QUERIES, 2) (y, x) in the patch's [-1, 1] frame
    cell: torch.Tensor  # (2,) a high-resolution pixel's size in that frame
    rgb: torch.Tensor  # (QUERIES, 3) the true colours in [0, 1]
    chain: str  # what was done to the patch, for the log


def random_chain(rng: np.random.Generator) -> Chain:
    """A random degradation after the shrink: mostly JPEG at any quality, sometimes noise before it (or after),
    rarely a mild blur. A first run that drew noise for 40 % of patches and other kernels for 45 % learned to
    smooth: +0.1 dB over bicubic on quality-75 JPEGs at 1,000 steps (README, the real-photo model)."""
    steps: list[Step] = []
    if rng.random() < 0.05:
        steps.append(Blur(float(rng.uniform(0.3, 1.0))))
    if rng.random() < 0.15:
        steps.append(Noise(float(rng.uniform(1, 10))) if rng.random() < 0.7 else Poisson(float(rng.uniform(30, 300))))
    if rng.random() < 0.9:
        chroma = Chroma.SUB_420 if rng.random() < 0.85 else Chroma.FULL_444
        jpeg = Jpeg(int(rng.integers(25, 96)), chroma)
        steps.insert(int(rng.integers(0, len(steps) + 1)) if rng.random() < 0.1 else len(steps), jpeg)
    return Chain(tuple(steps))


def _kernel(rng: np.random.Generator) -> Image.Resampling:
    return KERNELS[int(rng.choice(len(KERNELS), p=KERNEL_ODDS))]


def make_pair(photo: np.ndarray, rng: np.random.Generator) -> Pair:
    """One training pair from an 8-bit (H, W, 3) photo."""
    scale = float(rng.uniform(1.0, MAX_SCALE))
    low = PATCH + MARGIN
    side = min(round(low * scale), photo.shape[0], photo.shape[1])
    scale = side / low
    top, left = int(rng.integers(0, photo.shape[0] - side + 1)), int(rng.integers(0, photo.shape[1] - side + 1))
    crop = photo[top : top + side, left : left + side]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    crop = np.rot90(crop, int(rng.integers(0, 4)))
    high = Image.fromarray(np.ascontiguousarray(crop))
    clean = rng.random() < CLEAN_SHARE
    shrunk = high.resize((low, low), Image.Resampling.BICUBIC if clean else _kernel(rng))
    chain = Chain() if clean else random_chain(rng)
    degraded = np.asarray(chain(shrunk, rng), dtype=np.float32) / 255
    oy, ox = (int(v) for v in rng.integers(0, MARGIN + 1, 2))
    patch = degraded[oy : oy + PATCH, ox : ox + PATCH]
    # High-resolution pixel centres in low-resolution pixels, kept where they fall inside the patch.
    centres = (np.arange(side) + 0.5) / scale
    rows = np.flatnonzero((centres >= oy) & (centres < oy + PATCH))
    cols = np.flatnonzero((centres >= ox) & (centres < ox + PATCH))
    pick = rng.choice(len(rows) * len(cols), QUERIES, replace=len(rows) * len(cols) < QUERIES)
    r, c = rows[pick // len(cols)], cols[pick % len(cols)]
    coords = np.stack(((centres[r] - oy) / PATCH * 2 - 1, (centres[c] - ox) / PATCH * 2 - 1), axis=-1)
    target = np.asarray(high, dtype=np.float32)[r, c] / 255
    cell = np.full(2, 2 / (PATCH * scale), dtype=np.float32)
    return Pair(
        torch.from_numpy(np.ascontiguousarray(patch.transpose(2, 0, 1))),
        torch.from_numpy(coords.astype(np.float32)),
        torch.from_numpy(cell),
        torch.from_numpy(np.ascontiguousarray(target)),
        str(chain),
    )
