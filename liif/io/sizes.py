"""Output sizes: parsing ``WIDTHxHEIGHT``, applying a scale, enforcing the output limit."""

from __future__ import annotations

import os
import re

from liif.errors import LiifError
from liif.io.images import megapixels

MAX_SIDE = 65535  # the largest side PNG/JPEG/WebP writers and PIL accept without surprises


def max_output_pixels() -> int:
    """The CLI's and library's output limit: ``LIIF_MAX_OUTPUT_PIXELS``, read when a size is checked."""
    return int(os.environ.get("LIIF_MAX_OUTPUT_PIXELS") or 150_000_000)


def parse_size(text: str) -> tuple[int, int]:
    """``"640x480"`` -> ``(640, 480)`` (width, height)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise LiifError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    return check_size(int(match[1]), int(match[2]))


def scaled_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """The output size for a uniform ``scale`` of a ``width`` x ``height`` input (each side at least 1)."""
    if not scale > 0 or scale == float("inf"):
        raise LiifError(f"scale must be a positive number, got {scale:.6g}")
    if max(width, height) * scale > MAX_SIDE:
        raise LiifError(f"scale {scale:.6g} of {width}x{height} gives a side over {MAX_SIDE} pixels")
    if min(width, height) * scale < 0.5:
        raise LiifError(f"scale {scale:.6g} of {width}x{height} gives a side under one pixel")
    return check_size(max(1, round(width * scale)), max(1, round(height * scale)))


def check_size(
    width: int, height: int, max_pixels: int | None = None, limit_name: str = "LIIF_MAX_OUTPUT_PIXELS"
) -> tuple[int, int]:
    """Refuse sizes no writer should attempt; ``max_pixels`` defaults to :func:`max_output_pixels`.

    ``limit_name`` is the setting that raises the limit, named in the message so a user knows what to change.
    """
    max_pixels = max_pixels or max_output_pixels()
    if width < 1 or height < 1:
        raise LiifError(f"output size must be at least 1x1, got {width}x{height}")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise LiifError(f"output size {width}x{height} has a side over {MAX_SIDE} pixels")
    if width * height > max_pixels:
        size, limit = megapixels(width * height, max_pixels)
        raise LiifError(f"output size {width}x{height} is {size} MP, over the limit of {limit} MP ({limit_name})")
    return width, height
