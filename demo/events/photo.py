"""A new photo: its size for the size controls, where the views start on it, and where its render lies in an
output of another shape (stretched, filled or fitted)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demo.events.common import STRETCH, Context, fractions, tenths, user_errors
from demo.events.line import LINE_LENGTH
from liif.io.sizes import MAX_SIDE
from liif.pipeline.layout import FITS, Layout, layout
from liif.views.compare import crop_zoom
from liif.views.detail import detail_spot, edge_line


@dataclass(frozen=True)
class Opened:
    """A photo's own size, the output size at the chosen scale, a line about them, and where the views start:
    the crop on its most detailed spot, a zoom that shows the photo x2 to x4 in it (:func:`crop_zoom`), a short line
    across the strongest edge there and the explained pixel under the crop's centre, in output pixels; and the
    same marks as fractions of the photo (the page's ``anchors``)."""

    photo_width: int
    photo_height: int
    width: int
    height: int
    info: str
    centre: tuple[float, ...]
    zoom: float
    line: tuple[float, ...]
    point: tuple[int, int]
    anchors: dict[str, list[float]]


def page_layout(placement: Layout, photo_width: int, photo_height: int) -> dict[str, Any]:
    """A layout as the page keeps it (JSON): the :class:`Layout`'s fields, its offset, and what it does in words."""
    return {**asdict(placement), "offset": placement.offset, "said": placement.describe(photo_width, photo_height)}


def from_page(value: Any) -> Layout | None:
    """The page's layout back as a :class:`Layout`, or None for anything that is not one (it comes from the
    browser: it only places a click, and every request rebuilds its own layout from the size and fit)."""
    try:
        placement = Layout(
            int(value["width"]), int(value["height"]), tuple(value["render"]), tuple(value["box"]), tuple(value["at"])
        )
        (render_w, render_h), box, at = placement.render, placement.box, placement.at
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        return None
    numbers = (placement.width, placement.height, render_w, render_h, *box, *at)
    if len(box) != 4 or len(at) != 2 or not all(isinstance(n, int) and 0 <= n <= 4 * MAX_SIDE for n in numbers):
        return None
    return placement if render_w > 0 and render_h > 0 else None


def _side(value: Any) -> bool:
    """A side of a photo or an output, as the page sends it: a whole number from 1 to the largest side."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and 1 <= value <= MAX_SIDE and value == int(value)


class Photo:
    def __init__(self, context: Context) -> None:
        self.context = context

    @user_errors
    def condition(self, image: str | None, model: str | None) -> str:
        """What the photo has been through and the model that renders it, in words (empty before a photo)."""
        if not image:
            return ""
        bench = self.context.workbench
        key, picture = bench.picture(image)
        return bench.choose_model(model, key, picture)[1]

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
        zoom = crop_zoom(width / picture.width)
        placement = layout(picture.width, picture.height, width, height)  # the photo's own shape: a plain scale
        centre = placement.to_output(spot[0] * width / picture.width, spot[1] * height / picture.height)
        ends = edge_line(picture.rgb, spot, width, height, LINE_LENGTH)
        point = (min(int(centre[0]), width - 1), min(int(centre[1]), height - 1))
        anchors = {
            "crop": fractions(placement, centre),
            "line": fractions(placement, *ends),
            "point": fractions(placement, (point[0] + 0.5, point[1] + 0.5)),
        }
        return Opened(
            picture.width, picture.height, width, height, info, tenths(centre), zoom, tenths(*ends), point, anchors
        )

    @staticmethod
    def zoom(value: Any, photo_width: Any, zoom: Any) -> float | None:
        """The compare zoom for a new layout (from the page): kept while the crop shows the photo x2 to x4,
        else one that does (:func:`crop_zoom`); None (as it is) while there is no valid layout."""
        placement = from_page(value)
        if placement is None or not _side(photo_width) or not isinstance(zoom, int | float):
            return None
        return crop_zoom(placement.render[0] / photo_width, float(zoom))

    @staticmethod
    def placement(
        photo_width: Any, photo_height: Any, width: Any, height: Any, fit: Any = STRETCH
    ) -> dict[str, Any] | None:
        """Where the photo's render lies in the W x H output, for the page (:func:`page_layout`); None while a
        size is not a valid one or there is no photo."""
        sides = (photo_width, photo_height, width, height)
        if fit not in FITS or not all(_side(v) for v in sides):
            return None
        photo_width, photo_height, width, height = (int(v) for v in sides)
        return page_layout(layout(photo_width, photo_height, width, height, fit), photo_width, photo_height)
