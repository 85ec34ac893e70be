"""A new photo: its size for the size controls, and where the views start on it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from demo.events.common import Context, tenths, user_errors
from demo.events.compare import MAX_ZOOM
from demo.events.line import LINE_LENGTH
from liif.detail import detail_spot, edge_line

MIN_CROP_SCALE = 4  # a new photo's crop starts at least this many times the photo's size: the difference shows


@dataclass(frozen=True)
class Opened:
    """A photo's own size, the output size at the chosen scale, a line about them, and where the views start:
    the crop on its most detailed spot (output pixels, and fractions of the output), a zoom that makes the crop
    at least x4 of the photo, and a short line across the strongest edge there."""

    photo_width: int
    photo_height: int
    width: int
    height: int
    info: str
    centre: tuple[float, float]
    fractions: tuple[float, float]
    zoom: float
    line: tuple[float, ...]


class Photo:
    def __init__(self, context: Context) -> None:
        self.context = context

    @user_errors
    def opened(self, image: str | None, scale: float) -> Opened | None:
        """Where a new photo starts (None: the photo was removed)."""
        if not image:
            return None
        _, picture = self.context.workbench.picture(image)
        width, height = max(1, round(picture.width * scale)), max(1, round(picture.height * scale))
        notes = "".join(f"\n\n*{note}*" for note in picture.notes)
        info = f"Input {picture.width}×{picture.height} → output {width}×{height} · ×{scale:.2f}{notes}"
        spot = detail_spot(picture.rgb)
        fx, fy = spot[0] / picture.width, spot[1] / picture.height
        zoom = min(MAX_ZOOM, max(1.0, math.ceil(2 * MIN_CROP_SCALE / scale) / 2))  # the zoom slider's 0.5 steps
        centre = (round(fx * width, 1), round(fy * height, 1))
        line = tenths(*edge_line(picture.rgb, spot, width, height, LINE_LENGTH))
        return Opened(picture.width, picture.height, width, height, info, centre, (fx, fy), zoom, line)
