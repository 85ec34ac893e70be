"""The paper's evaluation protocol (LIIF.md, Table 1): HR crop, bicubic LR, PSNR with a border shave."""

from __future__ import annotations

from PIL import Image


def make_pair(hr: Image.Image, scale: int) -> tuple[Image.Image, Image.Image]:
    """(LR, HR): HR cropped to a multiple of ``scale``, LR its PIL bicubic downscale by ``scale``."""
    width, height = (hr.width // scale) * scale, (hr.height // scale) * scale
    if width == 0 or height == 0:
        raise ValueError(f"a {hr.width}x{hr.height} image is smaller than the scale x{scale}")
    hr = hr.crop((0, 0, width, height))
    return hr.resize((width // scale, height // scale), Image.Resampling.BICUBIC), hr
