"""How a photo meets an output of another shape: stretch it, fill the output (the photo's centre, cropped to
the output's aspect), or fit inside it (the whole photo, the margins padded with a colour or transparency).

Fill and fit are windows of a virtual render at one scale for both sides, so fill's crop is a window of
the render of the whole photo (its edges still see the photo around them) and costs no second encoding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageColor

from liif.core.enlarge import Box
from liif.errors import LiifError

FITS = ("stretch", "fill", "fit")
TRANSPARENT = "transparent"


@dataclass(frozen=True)
class Layout:
    """Where the photo's render lies in a W x H output."""

    width: int
    height: int
    render: tuple[int, int]  # the virtual render of the whole photo the picture is a window of
    box: Box  # that window
    at: tuple[int, int]  # where the window's top-left corner lands in the output (fit's margins)

    @property
    def padded(self) -> bool:
        return (self.box[2] - self.box[0], self.box[3] - self.box[1]) != (self.width, self.height)

    @property
    def offset(self) -> tuple[int, int]:
        """Where the render's origin lands in the output: output pixels = render pixels + offset (negative
        under fill, which cuts the render's edges off; fit's margins under fit)."""
        return self.at[0] - self.box[0], self.at[1] - self.box[1]

    def to_render(self, x: float, y: float) -> tuple[float, float]:
        """An output point (x, y) in pixels of the render of the whole photo."""
        return x - self.offset[0], y - self.offset[1]

    def to_output(self, x: float, y: float) -> tuple[float, float]:
        """A point of the render of the whole photo in output pixels."""
        return x + self.offset[0], y + self.offset[1]

    def on_photo(self, x: float, y: float) -> bool:
        """Whether the output point (x, y) shows the photo: inside the output and not in fit's margins."""
        left, top, right, bottom = self.box
        rx, ry = self.to_render(x, y)
        return 0 <= x <= self.width and 0 <= y <= self.height and left <= rx <= right and top <= ry <= bottom

    @property
    def render_pixels(self) -> int:
        """The pixels of the virtual render of the whole photo: what a step that needs it whole would allocate."""
        return self.render[0] * self.render[1]

    def source_box(self, photo_width: int, photo_height: int) -> tuple[float, float, float, float]:
        """The window, in the photo's own pixels (fractions: a thin fill shows part of one pixel)."""
        left, top, right, bottom = self.box
        sx, sy = photo_width / self.render[0], photo_height / self.render[1]
        return left * sx, top * sy, right * sx, bottom * sy

    def window_of(self, image: Image.Image) -> Image.Image:
        """``image`` (the photo, or its alpha) resized with bicubic to the virtual render, computed for the window
        alone: the same pixels as resizing it whole and cropping, at the cost of the window."""
        left, top, right, bottom = self.box
        box = self.source_box(image.width, image.height)
        return image.resize((right - left, bottom - top), Image.Resampling.BICUBIC, box=box)

    def scale_words(self, photo_width: int, photo_height: int) -> str:
        """The photo's enlargement as the page writes it before the click (logic.js ``describe``): one number when
        the render keeps the photo's shape to the pixel (stretch to the same shape, fill, fit), else both."""
        (render_w, render_h), (sx, sy) = self.render, (self.render[0] / photo_width, self.render[1] / photo_height)
        uniform = (
            round(render_w * photo_height / photo_width) == render_h
            or round(render_h * photo_width / photo_height) == render_w
        )
        return f"×{sx:.2f}" if uniform else f"×{sx:.2f} across, ×{sy:.2f} down"

    def describe(self, photo_width: int, photo_height: int) -> str | None:
        """In words, where it is not a plain stretch: what of the photo is shown, or where the margins are."""
        left, top, right, bottom = self.box
        if self.padded:
            return f"fit: the whole photo at {right - left}x{bottom - top}, padded to {self.width}x{self.height}"
        if self.render != (self.width, self.height):
            x0, y0, x1, y1 = self.source_box(photo_width, photo_height)
            shown = f"{_pixels(x1 - x0)}x{_pixels(y1 - y0)} of {photo_width}x{photo_height}"
            return f"fill: the photo's centre {shown}, cropped to the output's shape"
        return None


def _pixels(length: float) -> str:
    """A length in photo pixels as a fill's description gives it: whole pixels, or "under 1" of a sliver."""
    return str(round(length)) if length >= 0.5 else "under 1"


def layout(photo_width: int, photo_height: int, width: int, height: int, fit: str = "stretch") -> Layout:
    """The layout of a ``photo_width`` x ``photo_height`` photo in a ``width`` x ``height`` output."""
    if fit not in FITS:
        raise LiifError(f"unknown fit {fit!r}; choose one of {', '.join(FITS)}")
    if fit == "fill":
        scale = max(width / photo_width, height / photo_height)
        render = (max(width, round(photo_width * scale)), max(height, round(photo_height * scale)))
        left, top = (render[0] - width) // 2, (render[1] - height) // 2
        return Layout(width, height, render, (left, top, left + width, top + height), (0, 0))
    if fit == "fit":
        scale = min(width / photo_width, height / photo_height)
        inner = (min(width, max(1, round(photo_width * scale))), min(height, max(1, round(photo_height * scale))))
        return Layout(width, height, inner, (0, 0, *inner), ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return Layout(width, height, (width, height), (0, 0, width, height), (0, 0))


def check_whole(plan: Layout, max_pixels: int, needs: str, limit_name: str) -> None:
    """Refuse a step that needs the whole render of the photo (``needs`` says which) when a fill's virtual render
    is over ``max_pixels``: its cost is the render's, not the output's (a 1x4000 photo filling 4000x1 is a
    4000x16,000,000 render)."""
    if plan.render_pixels > max_pixels:
        (w, h), mp = plan.render, plan.render_pixels / 1e6
        raise LiifError(
            f"{needs} needs the whole photo rendered at the output's scale, {w}x{h} ({mp:.1f} MP) for this fill, "
            f"over the limit of {max_pixels / 1e6:.1f} MP ({limit_name}); use standard, or stretch"
        )


def pad_colour(text: str) -> tuple[float, float, float] | None:
    """A pad colour as RGB floats in [0, 1] from a CSS colour ("#1e1e1e", "white"); None for transparency."""
    if text.strip().lower() == TRANSPARENT:
        return None
    try:
        rgb = ImageColor.getrgb(text.strip())
    except ValueError:
        hint = "use #RRGGBB, a CSS name such as white, or transparent"
        raise LiifError(f"{text[:80]!r} is not a colour: {hint}") from None
    red, green, blue = (min(max(v, 0), 255) / 255 for v in rgb[:3])  # hsl(99999,999%,999%) reads past 255
    return red, green, blue


def placed(
    rows: Iterable[tuple[int, torch.Tensor]], plan: Layout, colour: tuple[float, float, float] | None
) -> Iterator[tuple[int, torch.Tensor]]:
    """The output's row bands: the window's bands placed at ``plan.at``, fit's margins in ``colour`` (black
    under transparency: the alpha of :func:`output_alpha` hides them)."""
    if not plan.padded:
        yield from rows
        return
    fill = torch.tensor(colour or (0.0, 0.0, 0.0))

    def margin(rows: int) -> torch.Tensor:
        return fill.expand(rows, plan.width, 3).clone()

    x, y = plan.at
    inner_w, inner_h = plan.box[2] - plan.box[0], plan.box[3] - plan.box[1]
    if y:
        yield 0, margin(y)
    for row, rgb in rows:
        band = margin(rgb.shape[0])
        band[:, x : x + inner_w] = rgb
        yield y + row, band
    if y + inner_h < plan.height:
        yield y + inner_h, margin(plan.height - y - inner_h)


def placed_whole(
    whole: np.ndarray, plan: Layout, colour: tuple[float, float, float] | None
) -> Iterator[tuple[int, torch.Tensor]]:
    """:func:`placed` for a render of the whole photo held at once ((H, W, 3) floats at ``plan.render``, as
    LIIF+ and the CLI's --verbose have it): its window, placed."""
    left, top, right, bottom = plan.box
    yield from placed(iter([(0, torch.from_numpy(whole[top:bottom, left:right].copy()))]), plan, colour)


def output_alpha(alpha: Image.Image | None, plan: Layout, transparent: bool) -> Image.Image | None:
    """The output's alpha (mode "L", W x H): the photo's own alpha, laid out as the photo is, and fit's
    margins clear under transparency; None where the output is opaque."""
    if alpha is None and not (transparent and plan.padded):
        return None
    inner = plan.window_of(alpha or Image.new("L", (1, 1), 255))
    out = Image.new("L", (plan.width, plan.height), 0 if transparent else 255)
    out.paste(inner, plan.at)
    return out
