"""The page's live render: the bicubic preview, LIIF's bands painted over it, the frames sent (at most one a
second) and the time left they show."""

from __future__ import annotations

import base64
import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from demo.events.common import Job, Request
from demo.workbench import Speed
from liif import pipeline
from liif.io.images import to_uint8
from liif.io.output import assemble_uint8
from liif.pipeline.run import Quality

PREVIEW_PIXELS = 1_000_000  # frames shown while streaming are thinned to about this many pixels
PREVIEW_QUALITY = 85  # previews travel as JPEG data URLs: a fraction of a PNG's bytes and encoding time
FRAME_SECONDS = 1.0  # after the first LIIF rows, at most one streamed frame a second
PRIOR_SECONDS = 2.0  # the time left trusts the measured speed as much as this many seconds of the render's own


@dataclass(frozen=True)
class Times:
    """When a render's request began (the time reported counts its wait for the encoding), and its rows' seconds
    (the speed the next estimate uses)."""

    started: float
    rows: float


@dataclass(frozen=True)
class Frame:
    """One step of the page's render: the status line, what the result view shows (:func:`shown`; None: what
    it shows stays), and once the render is done the finished PNG and the speed it measured."""

    status: str
    shown: dict[str, Any] | None
    result: str | None = None
    speed: Speed | None = None


def shown(request: Request, url: str, state: str, text: str, fraction: float | None = None) -> dict[str, Any]:
    """What the result view draws: the picture (``url``), where the output lies over the photo (``rect``, in
    photo pixels: fill cuts the photo's edges off, fit adds margins), the finest scale the picture holds
    (``scale``, x the photo: the viewer renders tiles only past it), and the render's ``state`` ("preview",
    "done" or "stopped") with its words and progress."""
    picture, placement = request.picture, request.placement
    (render_w, render_h), (x, y) = placement.render, placement.offset
    left, top, width, height = (-x, -y, request.width, request.height)  # the output, in render pixels
    return {
        "photo": request.key,
        "url": url,
        "width": request.width,
        "height": request.height,
        "rect": [
            left * picture.width / render_w,
            top * picture.height / render_h,
            width * picture.width / render_w,
            height * picture.height / render_h,
        ],
        "scale": min(render_w / picture.width, render_h / picture.height),
        "state": state,
        "text": text,
        "progress": fraction,
    }


def _data_url(pixels: np.ndarray) -> str:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=PREVIEW_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def progress_text(fraction: float, seconds_left: float) -> str:
    return f"LIIF {round(100 * fraction)}% · about {seconds_left:.0f} s left"


def time_left(fraction: float, elapsed: float, work: int, output_pixels: int, prior: Speed | None) -> float:
    """Seconds left of a render ``fraction`` done after ``elapsed`` seconds of rows (``work``: LIIF's, see
    :meth:`Upscale._work`): the rows' rate is the measured speed blended with this render's own (its weight grows
    as the render goes, so a steady render's time left only shrinks, and a machine busier than when measured is
    seen within seconds), plus the finish."""
    done = fraction * work
    if prior is None:
        return elapsed / max(fraction, 1e-9) * (1 - fraction)
    rate = (prior.rows * PRIOR_SECONDS + done) / (PRIOR_SECONDS + elapsed)
    return (work - done) / rate + output_pixels / prior.finish


def work(job: Job | Request) -> int:
    """LIIF's work for a job, the unit of the rows' speed: the pixels LIIF renders (each LIIF+ view's) and the
    latent codes it reads (the photo's pixels under the window; reading a code costs about what rendering a
    pixel does, so a render near x1 takes twice its pixels' time). LIIF+ renders the whole photo, standard
    LIIF only the window the output shows (a fill's), at LIIF's own size."""
    (liif_w, liif_h), picture, placement = job.job.liif_size, job.picture, job.placement
    if job.views > 1:
        return (liif_w * liif_h + picture.width * picture.height) * job.views
    (render_w, render_h), (left, top, right, bottom) = placement.render, placement.box
    share = (right - left) / render_w * (bottom - top) / render_h
    return round(share * (liif_w * liif_h + picture.width * picture.height))


class Live:
    """A render as the page sees it: the canvas (the bicubic preview, then LIIF painted over it), the frames it
    sends (at most one a second), and what the view shows now (kept, as stopped, after Stop)."""

    def __init__(self) -> None:
        self.canvas = np.empty((0, 0, 3), dtype=np.uint8)
        self.last: dict[str, Any] | None = None
        self.rows_seconds = 0.0
        self._asked: Request | None = None

    def preview(self, asked: Request) -> None:
        """The bicubic preview of the output: the window a fill shows, fit's margins in their colour."""
        placement, pad = asked.placement, asked.job.pad
        x, y = placement.at
        left, top, right, bottom = placement.box
        self.canvas = np.empty((asked.height, asked.width, 3), dtype=np.uint8)
        self.canvas[:] = np.round(np.asarray(pad or (0.0, 0.0, 0.0)) * 255).astype(np.uint8)
        window = placement.window_of(asked.picture.rgb_image())
        self.canvas[y : y + bottom - top, x : x + right - left] = np.asarray(window)
        self._asked = asked

    def frame(self, text: str, fraction: float | None) -> Frame:
        assert self._asked is not None
        height, width = self.canvas.shape[:2]
        thin = max(1, math.ceil(math.sqrt(width * height / PREVIEW_PIXELS)))
        self.last = shown(self._asked, _data_url(self.canvas[::thin, ::thin]), "preview", text, fraction)
        return Frame(text, self.last)

    def paint(self, run: pipeline.Upscale, prior: Speed | None, liif_work: int) -> Iterator[tuple[str, float]]:
        """LIIF's rows painted over the preview as they come (LIIF+: gathered, then finished and painted whole);
        the progress in words and as a fraction, with the time left, at most once a second."""
        start = time.perf_counter()
        shown_at = start - FRAME_SECONDS  # the first LIIF band is shown as soon as it is there
        height, width = self.canvas.shape[:2]
        plus = run.job.quality is Quality.PLUS
        if plus:
            total_rows, (liif_w, liif_h) = run.job.liif_size[1], run.job.liif_size
            floats: np.ndarray | None = np.empty((liif_h, liif_w, 3), dtype=np.float32)
        else:
            total_rows, floats = height, None
        for row, rgb in run.liif_bands() if plus else run.bands():
            if floats is None:
                self.canvas[row : row + rgb.shape[0]] = to_uint8(rgb)
            else:
                floats[row : row + rgb.shape[0]] = rgb.numpy()
            now, done = time.perf_counter(), (row + rgb.shape[0]) / total_rows
            if now - shown_at >= FRAME_SECONDS and done < 1:
                yield progress_text(done, time_left(done, now - start, liif_work, width * height, prior)), done
                shown_at = now
        if floats is not None:
            self.canvas[:] = assemble_uint8(run.finish(floats), width, height)
        self.rows_seconds = time.perf_counter() - start
