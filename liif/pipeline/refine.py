"""LIIF+'s finish (quality "best"): back-projection, and no extrapolation past the training range.

Back-projection (Irani and Peleg, 1991) makes a whole result agree with the photo it came from.

LIIF learned to undo a bicubic shrink, so a faithful result, shrunk back with that same bicubic, is the photo
again. One step adds the bicubic-enlarged difference between the photo and the shrunk result. It assumes
what LIIF's training assumed, that the photo is a bicubic shrink of the scene; a photo that is not (JPEG
noise, blur) has those faults pushed back in. It needs the whole result: a window or a tile has no photo of
its own to agree with. The resampler is PIL's own bicubic on floats (antialiased when shrinking), the one
the evaluation protocol makes its low-resolution photos with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import torch
from PIL import Image

from liif.core.enlarge import capped_size

BICUBIC = Image.Resampling.BICUBIC
TRAINED_SCALE = 4  # LIIF was trained on x1-x4; past it, best renders at x4 and enlarges (README, LIIF+)


def resize_bicubic(channel: np.ndarray, width: int, height: int) -> np.ndarray:
    """One (H, W) float channel resized to ``width`` x ``height`` with PIL's bicubic, in float32."""
    image = Image.fromarray(np.ascontiguousarray(channel, dtype=np.float32), "F")
    return np.asarray(image.resize((width, height), BICUBIC))


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """An (H, W, C) float image resized channel by channel with PIL's bicubic."""
    return np.stack([resize_bicubic(image[..., c], width, height) for c in range(image.shape[-1])], axis=-1)


def back_project(result: np.ndarray, photo: np.ndarray, steps: int = 1) -> np.ndarray:
    """``result`` (H, W, 3) floats in [0, 1], refined in place so that shrunk to the ``photo``'s (h, w, 3) size it
    matches the photo; returned clamped to [0, 1]. Channel by channel, so a 12-megapixel result needs about
    one channel (48 MB) beside itself."""
    height, width = result.shape[:2]
    h, w = photo.shape[:2]
    for _ in range(steps):
        for c in range(result.shape[-1]):
            missing = photo[..., c] - resize_bicubic(result[..., c], w, h)
            result[..., c] += resize_bicubic(missing, width, height)
        np.clip(result, 0.0, 1.0, out=result)
    return result


def consistency(result: np.ndarray, photo: np.ndarray) -> float:
    """How far ``result``, shrunk back to the photo's size, is from the photo: the mean absolute difference in
    levels of 255 (0: it agrees exactly)."""
    h, w = photo.shape[:2]
    return float(np.abs(resize(result, w, h) - photo).mean() * 255)


def gather(rows: Iterable[tuple[int, torch.Tensor]], width: int, height: int) -> np.ndarray:
    """A render's row bands (as :func:`liif.core.render.iter_rows` yields them) as one (H, W, 3) float32 array,
    for what needs the whole result: 12 bytes per output pixel."""
    result = np.empty((height, width, 3), dtype=np.float32)
    for row, rgb in rows:
        result[row : row + rgb.shape[0]] = rgb.numpy()
    return result


def photo_floats(rgb: torch.Tensor) -> np.ndarray:
    """A :class:`liif.Picture`'s (3, h, w) RGB as the (h, w, 3) array the functions here take."""
    return rgb.permute(1, 2, 0).numpy()


def best_size(width: int, height: int, photo_width: int, photo_height: int) -> tuple[int, int]:
    """The size best renders LIIF at: the output's, but at most x4 of the photo on each side."""
    return capped_size(width, height, photo_width, photo_height, TRAINED_SCALE)


def best_result(
    rows_at: Callable[[int, int], Iterable[tuple[int, torch.Tensor]]], width: int, height: int, photo: np.ndarray
) -> np.ndarray:
    """The whole "best" result, (H, W, 3) float32: the render ``rows_at(w, h)`` yields at :func:`best_size`,
    enlarged with bicubic to W x H where that is smaller, then back-projected onto ``photo`` ((h, w, 3))."""
    w, h = best_size(width, height, photo.shape[1], photo.shape[0])
    return finish_best(gather(rows_at(w, h), w, h), width, height, photo)


def finish_best(
    result: np.ndarray, width: int, height: int, photo: np.ndarray, *, onto_photo: bool = True
) -> np.ndarray:
    """A render made at :func:`best_size`, enlarged with bicubic to W x H where smaller, back-projected onto the
    photo (unless ``onto_photo`` is off: a compressed photo's blocks are not what a bicubic shrink would give)."""
    if result.shape[:2] != (height, width):
        result = resize(result, width, height)
    return back_project(result, photo) if onto_photo else np.clip(result, 0.0, 1.0)
