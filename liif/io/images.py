"""Photos in, renders out: safe decoding, colour modes, EXIF rotation, atomic 8-bit or float32 writes."""

from __future__ import annotations

import io
import os
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from liif.errors import ImageError

IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
# What a photo may be: Pillow tries no other decoder (EPS would go to Ghostscript where it is installed).
INPUT_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF", "PPM", "TGA")  # JPEG opens multi-picture JPEGs too


@dataclass(frozen=True, eq=False)
class Picture:
    """A decoded photo: RGB floats for the model, plus what must survive the round trip."""

    rgb: torch.Tensor  # (3, H, W) float32 in [0, 1]
    grayscale: bool = False  # the source had no colour: write the result back as grayscale
    alpha: Image.Image | None = None  # the source's alpha channel (mode "L"), resized for the output
    notes: tuple[str, ...] = field(default=())  # things the user should know, one line each
    jpeg_tables: dict[int, tuple[int, ...]] | None = None  # a JPEG file's quantisation tables (liif.pipeline.condition)

    @property
    def width(self) -> int:
        return self.rgb.shape[-1]

    @property
    def height(self) -> int:
        return self.rgb.shape[-2]

    def rgb_image(self) -> Image.Image:
        """The decoded RGB as an 8-bit PIL image (what classic resamplers and the evaluation start from)."""
        return Image.fromarray(to_uint8(self.rgb.permute(1, 2, 0)), "RGB")


def _float_pixels(img: Image.Image) -> tuple[np.ndarray, str | None]:
    """Single-channel 16-bit / 32-bit int / float images as floats in [0, 1], and a note if scaled by their range.

    Floats already in [0, 1] and whole numbers up to 255 or 65535 keep their meaning; anything else (HDR
    floats, 32-bit counts, negative values) is scaled by its own range instead of clipped to white or black.
    """
    arr = np.asarray(img, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError("some of its values are not finite numbers")
    low, high = float(arr.min(initial=0)), float(arr.max(initial=0))
    if img.mode == "F" and low >= 0 and high <= 1:
        return arr, None
    if img.mode != "F" and low >= 0 and high <= 65535:
        return arr / (65535.0 if high > 255 else 255.0), None
    low = min(low, 0.0)
    return (arr - low) / (high - low), f"its values run from {low:g} to {high:g}: scaled to 0-1 by that range"


def _decode(img: Image.Image) -> Picture:
    notes = []
    quantization = getattr(img, "quantization", None) if img.format == "JPEG" else None
    tables = {int(k): tuple(int(v) for v in table) for k, table in quantization.items()} if quantization else None
    if getattr(img, "is_animated", False):  # an animation's declared frame count is not trusted, nor read
        notes.append(f"{img.format or 'the image'} is an animation: only its first frame is used")
    img = ImageOps.exif_transpose(img)
    alpha = None
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        alpha = rgba.getchannel("A")
        if alpha.getextrema() == (255, 255):
            alpha = None
        img = rgba.convert("RGB") if img.mode not in ("LA", "La") else img.convert("L")
    gray = img.mode in ("1", "L", "I", "I;16", "I;16L", "I;16B", "I;16N", "F")
    if img.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        values, note = _float_pixels(img)
        arr = np.repeat(values[..., None], 3, axis=-1)
        notes += [note] if note else []
    else:
        arr = np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0
    rgb = torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1), dtype=np.float32))
    return Picture(rgb, grayscale=gray, alpha=alpha, notes=tuple(notes), jpeg_tables=tables)


def megapixels(pixels: int, limit: int) -> tuple[str, str]:
    """Two pixel counts in MP, with as many decimals as it takes to tell them apart (4.002 over 4.000, not 4.0
    over 4.0)."""
    for decimals in (1, 3, 6):
        shown = f"{pixels / 1e6:.{decimals}f}", f"{limit / 1e6:.{decimals}f}"
        if shown[0] != shown[1]:
            return shown
    return shown


def max_input_pixels() -> int:
    """The input limit: ``LIIF_MAX_INPUT_PIXELS``, read when a photo is opened."""
    return int(os.environ.get("LIIF_MAX_INPUT_PIXELS") or 40_000_000)


def load_picture(
    source: str | Path | bytes | Image.Image, *, max_pixels: int | None = None, name: str | None = None
) -> Picture:
    """Decode a photo, refusing what cannot be decoded safely with a one-line :class:`ImageError`.

    ``name`` starts each message (default: the path, or "image"); the app says "The photo".
    """
    max_pixels = max_pixels or max_input_pixels()
    name = name or ("image" if isinstance(source, bytes | Image.Image) else str(source))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if isinstance(source, Image.Image):
                img = source
            else:
                img = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source, formats=INPUT_FORMATS)
            width, height = img.size
            if width < 1 or height < 1:
                raise ImageError(f"{name}: the image is empty ({width}x{height})")
            if width * height > max_pixels:
                size, limit = megapixels(width * height, max_pixels)
                raise ImageError(f"{name}: {width}x{height} is {size} MP, over the input limit of {limit} MP")
            img.load()
            if img.format == "PNG" and not isinstance(source, Image.Image):
                _check_png_data(source if isinstance(source, bytes) else Path(source).read_bytes(), img)
            return _decode(img)
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"{name}: {decode_error(exc)}") from None


_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by PNG colour type


def _check_png_data(data: bytes, img: Image.Image) -> None:
    """Refuse a PNG whose compressed pixels end before the last row: Pillow decodes such a file without a word,
    the missing rows black. The pixel data must inflate to exactly the rows its header declares."""
    width, height = img.size
    depth, colour, interlaced = data[24], data[25], data[28]
    bits = depth * _PNG_CHANNELS.get(colour, 1)
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    expected = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            expected += rows * (1 + -(-(columns * bits) // 8))  # each row: a filter byte, then its pixels
    inflate, got, at = zlib.decompressobj(), 0, 8
    while at + 8 <= len(data) and got <= expected:
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind == b"IDAT":
            try:
                got += len(inflate.decompress(data[at + 8 : at + 8 + length], expected + 1 - got))
            except zlib.error as exc:
                raise ValueError(f"its pixel data does not inflate: {exc}") from None
        at += 12 + length
    if got < expected:
        raise ValueError(f"its pixel data ends after {got} of {expected} bytes")


def decode_error(exc: BaseException) -> str:
    """What went wrong decoding an image, in words a user can act on (one line)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not an image"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (or a format Pillow cannot read)"
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return "refused, its declared size is a decompression bomb"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"corrupt or truncated image ({detail})"


def to_uint8(rgb: torch.Tensor) -> np.ndarray:
    """Floats in [0, 1] to 8-bit by rounding (``round(v * 255)``), not truncation."""
    return (rgb.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
