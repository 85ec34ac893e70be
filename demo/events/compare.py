"""Compare: bicubic, LIIF and nearest on one crop of the output, rendered at a zoom from the cached grid."""

from __future__ import annotations

import time

import gradio as gr
from PIL import Image

import liif
from demo.events.common import AUTO, STANDARD, STRETCH, Context, Request, finite, on_render, user_errors, waited_for
from liif.core.render import Box
from liif.io.images import to_uint8
from liif.views.compare import ZOOMS, crop_box, resample_window

MAX_CROP = 256  # the crop slider's range, in output pixels


class Compare:
    def __init__(self, context: Context) -> None:
        self.context = context

    def side(self, crop: float | None, zoom: float | None) -> tuple[int, str]:
        """The crop side to render, in output pixels, shrunk so crop x zoom stays within the render limit, and
        a note if so. The page draws the crop's box with this side: the box is the crop the server renders."""
        limit = self.context.workbench.config.max_crop_render
        asked = round(finite("Crop size", crop, 1, MAX_CROP))
        zoom = finite("Zoom", zoom, 1 / 64, ZOOMS[1])
        side = min(asked, max(1, int(limit / zoom)))
        note = f" (crop reduced to {side} px: crops render at most {limit} px wide)" if side < asked else ""
        return side, note

    def box(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        centre_x: float,
        centre_y: float,
        crop: float,
        zoom: float,
        fit: str | None = STRETCH,
    ) -> list[float] | None:
        """The crop's window as :meth:`crops` renders it, [left, top, width, height] in output pixels, for the
        page to draw (None while the photo, size or centre is not a valid one)."""
        try:
            side, _ = self.side(crop, zoom)
            request = self.context.request(image, width, height, None, None, None, fit)
            (left, top, right, bottom), _, _ = self._window(request, centre_x, centre_y, side, zoom)
        except (gr.Error, liif.LiifError):
            return None
        x, y = request.placement.offset
        return [left / zoom + x, top / zoom + y, (right - left) / zoom, (bottom - top) / zoom]

    @staticmethod
    def _window(request: Request, centre_x: float, centre_y: float, side: int, zoom: float) -> tuple[Box, int, int]:
        """The crop's window of the virtual render of the whole photo at ``zoom`` x the size the output shows it
        at, kept inside what the output shows of it, and that render's size."""
        placement = request.placement
        centre = on_render(centre_x, centre_y, request)
        return crop_box(centre, side, zoom, *placement.render, within=placement.box)

    @user_errors
    @waited_for
    def crops(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        crop: float = 64,
        zoom: float = 2,
        fit: str = STRETCH,
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Bicubic vs LIIF (and nearest) on a crop of the W x H output around a centre, at a zoom."""
        side, note = self.side(crop, zoom)
        job = self.context.job(image, width, height, model, precision, quality, fit)
        encoded = job.encoded
        start = time.perf_counter()
        box, virtual_w, virtual_h = self._window(job, centre_x, centre_y, side, zoom)
        liif_crop = liif.render(encoded.model, encoded.views, virtual_w, virtual_h, box=box, precision=job.precision)
        source = job.picture.rgb_image()
        bicubic = resample_window(source, virtual_w, virtual_h, box, "bicubic")
        nearest = resample_window(source, virtual_w, virtual_h, box, "nearest")
        seconds = time.perf_counter() - start
        left, top, right, bottom = box
        photo_zoom = zoom * job.placement.render[0] / job.picture.width
        status = (
            f"Crop {right - left}×{bottom - top} px of a virtual {virtual_w}×{virtual_h} output "
            f"(×{zoom:g} of {job.width}×{job.height}: the photo ×{photo_zoom:.3g}), "
            f"centre ({centre_x:.0f}, {centre_y:.0f}) · {seconds:.2f} s{note}"
        )
        return (bicubic, Image.fromarray(to_uint8(liif_crop))), nearest, status
