"""Side-by-side crops: LIIF against classic resampling, on the same window of a virtual output.

A crop is a window of a (W*zoom) x (H*zoom) virtual output, so a x30 output can be explored without
rendering it whole. Classic resampling gets the same window through PIL's ``box`` argument, which maps
the window's own source rectangle: identical to cropping the full resize.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from liif.core.render import Box

METHODS = ("bicubic", "nearest")
SHOWN = (2.0, 4.0)  # a crop shows the photo's pixels enlarged this much: LIIF's detail shows, neither side is blur
ZOOM_STEP, ZOOMS = 0.25, (0.25, 16.0)  # the compare zoom's step and range, in multiples of the output


def crop_zoom(render_scale: float, zoom: float | None = None) -> float:
    """The crop's zoom (x the output) for an output ``render_scale`` times the photo: ``zoom`` kept while the crop
    shows the photo x2 to x4, else the step that shows it nearest below x4. At x2 of the output a 3000-px render
    of a 500-px photo is x12 of the photo, blur on both sides; a x0.25 crop of it shows the difference."""
    low, high = SHOWN
    if zoom is not None and low <= zoom * render_scale <= high:
        return zoom
    stepped = np.floor(high / render_scale / ZOOM_STEP) * ZOOM_STEP
    return float(np.clip(stepped, *ZOOMS))


def zoom_size(width: int, height: int, zoom: float) -> tuple[int, int]:
    """The size of the virtual output at ``zoom`` times a ``width`` x ``height`` image (never rendered whole)."""
    return max(1, round(width * zoom)), max(1, round(height * zoom))


def crop_box(
    centre: tuple[float, float], crop: int, zoom: float, width: int, height: int, within: Box | None = None
) -> tuple[Box, int, int]:
    """The window of a ``crop``-pixel square around ``centre`` (x, y in output pixels), at ``zoom``.

    Returns the window in the virtual output's pixels and that output's size. The window is shifted,
    not cut, to stay inside the output, or inside its part ``within`` (a box in output pixels: what a fill
    shows of the photo's render); it shrinks only when that part itself is smaller.
    """
    if crop < 1 or zoom <= 0:
        raise ValueError(f"crop must be at least 1 pixel and zoom positive, got {crop} and {zoom}")
    virtual_w, virtual_h = zoom_size(width, height, zoom)
    left0, top0, right0, bottom0 = within or (0, 0, width, height)
    low_x, high_x = round(left0 * zoom), min(round(right0 * zoom), virtual_w)
    low_y, high_y = round(top0 * zoom), min(round(bottom0 * zoom), virtual_h)
    side_w, side_h = min(round(crop * zoom), high_x - low_x), min(round(crop * zoom), high_y - low_y)

    def start(c: float, side: int, low: int, high: int) -> int:
        return min(max(round(c * zoom - side / 2), low), high - side)

    left, top = start(centre[0], side_w, low_x, high_x), start(centre[1], side_h, low_y, high_y)
    return (left, top, left + side_w, top + side_h), virtual_w, virtual_h


def resample_window(source: Image.Image, width: int, height: int, box: Box, method: str) -> Image.Image:
    """The ``box`` window of ``source`` resized to ``width`` x ``height`` with a classic filter."""
    left, top, right, bottom = box
    sx, sy = source.width / width, source.height / height
    if method == "nearest":
        # Each output pixel centre takes the source pixel it falls in; PIL's own nearest filter drifts by a
        # pixel at some window edges when the box is fractional, so index directly.
        cols = np.minimum(((np.arange(left, right) + 0.5) * sx).astype(int), source.width - 1)
        rows = np.minimum(((np.arange(top, bottom) + 0.5) * sy).astype(int), source.height - 1)
        return Image.fromarray(np.asarray(source)[rows[:, None], cols[None, :]])
    if method != "bicubic":
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    region = (left * sx, top * sy, right * sx, bottom * sy)
    return source.resize((right - left, bottom - top), Image.Resampling.BICUBIC, box=region)


SWEEP_ZOOMS = (2, 4, 8, 16, 32)  # the scale sweep's zooms, in multiples of the photo


def sweep_windows(
    centre: tuple[float, float], side: int, width: int, height: int, zooms: tuple[float, ...] = SWEEP_ZOOMS
) -> list[tuple[float, Box, int, int]]:
    """The same spot of a ``width`` x ``height`` photo at each zoom: ``side``-pixel windows of the
    (width*zoom) x (height*zoom) renders around ``centre`` (photo pixels), each with that render's size.

    At a higher zoom the same number of pixels covers less of the photo, so the rows show one spot
    magnified more and more: (zoom, window, render width, render height) per zoom.
    """
    return [(zoom, *crop_box(centre, max(1, round(side / zoom)), zoom, width, height)) for zoom in zooms]
