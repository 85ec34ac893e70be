"""Files of every awkward kind, made on the fly, for the hardening tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(path: Path, width: int = 40_000, height: int = 40_000) -> None:
    """A tiny PNG that declares 1.6 gigapixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def photo(size: tuple[int, int] = (24, 16), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def make(kind: str, folder: Path) -> Path:
    """Write one awkward input of ``kind`` into ``folder`` and return its path."""
    rgb = Image.fromarray(photo())
    if kind == "not-an-image":
        path = folder / "notes.png"
        path.write_text("just some text")
    elif kind == "truncated-jpeg":
        path = folder / "cut.jpg"
        Image.fromarray(photo((64, 48))).save(path, quality=95)
        path.write_bytes(path.read_bytes()[:400])
    elif kind == "truncated-png":
        path = folder / "cut.png"
        Image.fromarray(photo((64, 48))).save(path)
        path.write_bytes(path.read_bytes()[:200])
    elif kind == "corrupt-png":
        path = folder / "corrupt.png"
        Image.fromarray(photo((64, 48))).save(path)
        data = bytearray(path.read_bytes())
        idat = data.index(b"IDAT")
        data[idat + 20 : idat + 40] = bytes(20)  # damaged pixel data: the chunk's CRC no longer matches
        path.write_bytes(bytes(data))
    elif kind == "corrupt-jpeg":
        path = folder / "corrupt.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    elif kind == "bomb":
        path = folder / "bomb.png"
        bomb_png(path)
    elif kind == "short-png":  # 80 bytes: a 1999x1999 header whose pixel data ends after one row
        path = folder / "short.png"
        header = struct.pack(">IIBBBBB", 1999, 1999, 8, 0, 0, 0, 0)
        idat = zlib.compress(b"\0" + b"\x80" * 1999)
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))
    elif kind == "wide-int":  # 32-bit counts up to a million: more than 16 bits can say
        path = folder / "counts.tiff"
        Image.fromarray(np.linspace(0, 1_000_000, 16 * 24).astype(np.int32).reshape(16, 24), "I").save(path)
    elif kind == "hdr-float":  # floats up to 4, as an HDR render stores them
        path = folder / "hdr.tiff"
        Image.fromarray(np.linspace(0, 4, 16 * 24, dtype=np.float32).reshape(16, 24), "F").save(path)
    elif kind == "sixteen-bit":
        path = folder / "deep.png"
        Image.fromarray(np.arange(16 * 24, dtype=np.uint16).reshape(16, 24) * 170).save(path)
    elif kind == "float":
        path = folder / "float.tiff"
        Image.fromarray(np.linspace(0, 1, 16 * 24, dtype=np.float32).reshape(16, 24), "F").save(path)
    elif kind == "cmyk":
        path = folder / "cmyk.jpg"
        rgb.convert("CMYK").save(path, quality=95)
    elif kind == "palette":
        path = folder / "palette.png"
        rgb.convert("P").save(path)
    elif kind == "alpha":
        path = folder / "alpha.png"
        rgba = np.dstack([photo(), np.tile(np.linspace(0, 255, 24, dtype=np.uint8), (16, 1))])
        Image.fromarray(rgba, "RGBA").save(path)
    elif kind == "grayscale":
        path = folder / "gray.png"
        rgb.convert("L").save(path)
    elif kind == "exif-rotated":
        path = folder / "phone.jpg"
        exif = rgb.getexif()
        exif[0x0112] = 6  # stored 24x16, shown rotated: 16 wide, 24 tall
        rgb.save(path, exif=exif, quality=95)
    elif kind == "animated-gif":
        path = folder / "anim.gif"
        frames = [Image.fromarray(photo(seed=i)).convert("P") for i in range(3)]
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    elif kind in ("one-pixel", "two-pixels"):
        side = 1 if kind == "one-pixel" else 2
        path = folder / f"{kind}.png"
        Image.fromarray(photo((side, side))).save(path)
    else:
        raise ValueError(kind)
    return path
