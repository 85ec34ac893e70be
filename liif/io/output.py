"""Renders out: 8-bit in the photo's own mode, PNG, JPEG, WebP or float32 NPY, written atomically (a file appears
whole or not at all), with the print resolution where asked."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from PIL import Image

from liif.errors import ImageError
from liif.io.images import IMAGE_FORMATS, Picture, to_uint8

OUTPUT_SUFFIXES = (*IMAGE_FORMATS, ".npy")
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}, "PNG": {}}
_X_RESOLUTION, _Y_RESOLUTION, _RESOLUTION_UNIT, _INCHES = 282, 283, 296, 2  # EXIF tags, and its unit "inch"


def assemble_uint8(rows: Iterable[tuple[int, torch.Tensor]], width: int, height: int) -> np.ndarray:
    """A render delivered in row bands as one (H, W, 3) uint8 array, never a float copy of the whole."""
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    for row, rgb in rows:
        pixels[row : row + rgb.shape[0]] = to_uint8(rgb)
    return pixels


def check_output_path(path: str | Path) -> Path:
    """Refuse an output the writer could not produce, before any work is done."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise ImageError(f"{path}: unsupported output type; use one of {', '.join(OUTPUT_SUFFIXES)}")
    try:
        if not path.parent.is_dir():
            raise ImageError(f"{path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise ImageError(f"{path}: is a folder")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise ImageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    check_writable(path.parent, path)
    return path


def check_writable(folder: Path, shown: Path) -> None:
    """Refuse, before any work, a folder this process cannot create files in (a read-only file system, no
    permission); ``folder`` may not exist yet, then the nearest existing folder above it is asked."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageError(f"{shown}: cannot write into {folder} (a read-only file system, or no permission)")


def finish_image(pixels: np.ndarray, picture: Picture | None = None) -> Image.Image:
    """An (H, W, 3) uint8 render as a PIL image in the source's own mode: grayscale stays gray, alpha comes back."""
    img = Image.fromarray(pixels, "RGB")
    if picture is None:
        return img
    if picture.grayscale:
        img = img.convert("L")
    if picture.alpha is not None:
        img.putalpha(picture.alpha.resize(img.size, Image.Resampling.BICUBIC))
    return img


def save_image(
    img: Image.Image, path: Path | BinaryIO, fmt: str, quality: int | None = None, dpi: float | None = None
) -> None:
    """Write ``img`` as PNG, JPEG or WEBP. JPEG has no transparency: alpha is flattened onto white. ``quality``
    (1-100) is JPEG's and WebP's; without one JPEG is saved at 95 and WebP lossless, as is WebP at 100. ``dpi``,
    the print resolution, goes where each format keeps it (PNG's pHYs, JPEG's JFIF density, WebP's EXIF), so a
    print dialog prints the picture at its size, not at 72 dpi."""
    if fmt == "JPEG" and img.mode in ("RGBA", "LA"):
        img = Image.alpha_composite(Image.new("RGBA", img.size, "white"), img.convert("RGBA")).convert("RGB")
    options: dict[str, Any] = dict(_SAVE_OPTIONS[fmt])
    if quality is not None and fmt in ("JPEG", "WEBP"):
        options = {"lossless": True} if fmt == "WEBP" and quality >= 100 else {"quality": quality}
    if dpi:
        if fmt == "WEBP":
            exif = Image.Exif()
            exif.update({_X_RESOLUTION: dpi, _Y_RESOLUTION: dpi, _RESOLUTION_UNIT: _INCHES})
            options["exif"] = exif.tobytes()
        else:
            options["dpi"] = (dpi, dpi)
    img.save(path, format=fmt, **options)


def saved_dpi(img: Image.Image) -> float | None:
    """The print resolution a saved picture carries (PNG, JPEG or WebP), or None."""
    dpi = img.info.get("dpi")
    if dpi:
        return round(float(dpi[0]), 1)  # PNG keeps pixels per metre: 300 dpi reads back as 299.9994
    exif = img.getexif()
    return float(exif[_X_RESOLUTION]) if _X_RESOLUTION in exif and exif.get(_RESOLUTION_UNIT) == _INCHES else None


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A hidden temporary path beside ``path``, renamed onto it only if the block succeeds.

    The temporary name is short whatever the output's name (a name near the 255-byte limit stays legal).
    """
    partial = path.with_name(f".liif-{os.getpid()}-{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    except OSError as exc:
        raise ImageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):  # e.g. a read-only folder: removing what was never made must not hide why
            partial.unlink(missing_ok=True)


def write_rows(
    path: str | Path,
    width: int,
    height: int,
    rows: Iterable[tuple[int, torch.Tensor]],
    picture: Picture | None = None,
    dpi: float | None = None,
) -> None:
    """Write a render delivered in row bands, atomically: the file appears whole or not at all (``dpi``: the print
    resolution to record, :func:`save_image`).

    ``.npy`` is float32 (H, W, 3) in [0, 1], written band by band as it comes (plain writes, not a memory
    map: a full disk is then an error to report, not a SIGBUS); image formats are assembled as 8-bit, never as
    a float copy of the whole render.
    """
    path = check_output_path(path)
    suffix = path.suffix.lower()
    with atomic_output(path) as partial:
        if suffix == ".npy":
            with partial.open("wb") as out:
                header = {"descr": np.lib.format.dtype_to_descr(np.dtype("<f4")), "fortran_order": False}
                np.lib.format.write_array_header_1_0(out, {**header, "shape": (height, width, 3)})
                for _, rgb in rows:  # bands come top to bottom (liif.core.render.iter_rows)
                    out.write(rgb.clamp(0, 1).numpy().astype("<f4", copy=False).tobytes())
        else:
            pixels = assemble_uint8(rows, width, height)
            save_image(finish_image(pixels, picture), partial, IMAGE_FORMATS[suffix], dpi=dpi)
