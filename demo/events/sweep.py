"""Sweep: the crop's spot at x2 ... x32 of the photo, as windows of renders that large."""

from __future__ import annotations

import time

from PIL import Image

import liif
from demo.events.common import AUTO, EXACT, STANDARD, STRETCH, Context, on_photo, user_errors, waited_for
from demo.plots import sweep_sheet
from liif.core.enlarge import DETAIL_SCALE
from liif.core.metrics import psnr
from liif.io.images import to_uint8
from liif.views.compare import resample_window, sweep_windows

SWEEP_SIDE = 128  # pixels of each window of the scale sweep


class Sweep:
    def __init__(self, context: Context) -> None:
        self.context = context

    @user_errors
    @waited_for
    def sheet(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        fit: str = STRETCH,
    ) -> tuple[Image.Image, str]:
        """The crop centre's spot at x2 ... x32 of the photo: nearest, bicubic and LIIF rows in one picture."""
        job = self.context.job(image, width, height, model, precision, quality, fit)
        encoded, picture = job.encoded, job.picture
        centre = on_photo(centre_x, centre_y, job)
        start = time.perf_counter()
        source = picture.rgb_image()
        rows: dict[str, list[Image.Image]] = {"nearest": [], "bicubic": [], "LIIF": []}
        windows = sweep_windows(centre, SWEEP_SIDE, picture.width, picture.height)
        deepest = None  # the deepest window, as rendered and as LIIF renders it exactly
        for _, box, virtual_w, virtual_h in windows:
            for method in ("nearest", "bicubic"):
                rows[method].append(resample_window(source, virtual_w, virtual_h, box, method))
            window = liif.render(encoded.model, encoded.views, virtual_w, virtual_h, box=box, precision=job.precision)
            rows["LIIF"].append(Image.fromarray(to_uint8(window)))
            deepest = (window, (virtual_w, virtual_h, box))
        status = (
            f"The spot at ({centre[0]:.0f}, {centre[1]:.0f}) of the photo: {SWEEP_SIDE}-px windows of renders at "
            f"{', '.join(f'×{zoom:g}' for zoom, *_ in windows)} of it · {time.perf_counter() - start:.1f} s"
        )
        enlarged = [f"×{zoom:g}" for zoom, *_ in windows if zoom > DETAIL_SCALE]
        if job.precision == AUTO and enlarged and deepest is not None:
            window, (virtual_w, virtual_h, box) = deepest
            exact = liif.render(encoded.model, encoded.views, virtual_w, virtual_h, box=box, precision=EXACT)
            status += (
                f"\n\nPast ×{DETAIL_SCALE} LIIF adds no detail: {' and '.join(enlarged)} are its ×{DETAIL_SCALE} "
                f"image enlarged; at {enlarged[-1]} that is {psnr(window, exact):.1f} dB from LIIF rendered there "
                "exactly (over 40 dB: no visible difference)."
            )
        return sweep_sheet(rows, [f"x{zoom:g}" for zoom, *_ in windows]), status  # the bundled font has no "×"
