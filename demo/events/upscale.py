"""Upscale: the whole render, for the API at once and for the page streamed band by band over a preview.

Both run the one pipeline (:mod:`liif.pipeline.run`) on the app's cached grids; the page paints its bands over a
bicubic preview and sends a frame at most once a second.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from gradio.utils import get_upload_folder
from PIL import Image

import liif
from demo.components import echo, refuse
from demo.events.common import (
    AUTO,
    DEFAULT_PAD,
    STANDARD,
    STRETCH,
    Context,
    Job,
    Request,
    finite,
    result_name,
    save,
    user_errors,
    waited_for,
)
from demo.lru import BoundedLRU
from demo.memory import give_back
from demo.tickets import SupersededError, Tickets
from demo.workbench import Speed
from liif import pipeline
from liif.io.images import IMAGE_FORMATS, assemble_uint8, finish_image, save_image, saved_dpi, to_uint8
from liif.pipeline.refine import consistency, photo_floats
from liif.pipeline.run import Quality

# what the finished render downloads as: each of the library's formats under its first suffix (JPEG as .jpg)
DOWNLOAD_SUFFIXES = {
    fmt: next(suffix for suffix, named in IMAGE_FORMATS.items() if named == fmt)
    for fmt in dict.fromkeys(IMAGE_FORMATS.values())
}
MAX_DPI = 10_000  # the largest print resolution a request may ask to record
SESSIONS_KEPT = 4096  # sessions whose last finished render is remembered (its follow-ups may run)

PREVIEW_PIXELS = 1_000_000  # frames shown while streaming are thinned to about this many pixels
PREVIEW_QUALITY = 85  # previews travel as JPEG data URLs: a fraction of a PNG's bytes and encoding time
FRAME_SECONDS = 1.0  # after the first LIIF rows, at most one streamed frame a second
LIVE_BAND = 16_384  # pixels per band of the live render: the first LIIF rows show within about 0.5 s
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


def _scales(width: int, height: int, picture: liif.Picture) -> str:
    return f"×{width / picture.width:.2f} across, ×{height / picture.height:.2f} down"


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


class Upscale:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.tickets = Tickets(SESSIONS_KEPT)
        self._finished_tickets: BoundedLRU[str, int] = BoundedLRU(SESSIONS_KEPT)  # session -> its last finished

    def _status(self, job: Job, total: float, rows_seconds: float, off: float | None, size: int) -> str:
        """What a person reads first (done, in how long, what file), what the photo is and which model drew it,
        then the details folded away: sizes, the encoding, what computed it and why, how far from the photo."""
        picture, encoded, bench = job.picture, job.encoded, self.context.workbench
        encode_text = "the photo's grid cached" if encoded.cached else f"encoded in {encoded.seconds:.1f} s"
        plus = f" (LIIF+: {job.views} views, back-projected)" if job.views > 1 else ""
        details = [
            f"{job.width}×{job.height} from {picture.width}×{picture.height} "
            f"({_scales(job.width, job.height, picture)}) · {encode_text} · render {rows_seconds:.1f} s · "
            f"{job.model}{plus} on {bench.device_name}, {job.arithmetic}"
        ]
        if off is not None:
            details.append(
                f"Shrunk back to the photo's size, the result differs from it by {off:.2f} levels of 255 (mean)."
            )
        notes = "".join(f"\n\n*{n}*" for n in (*job.job.notes, *bench.notes.get(job.model, ())))
        folded = "\n\n".join(details)
        return (
            f"**Done in {total:.1f} s** · {job.width}×{job.height} PNG, {size / 1e6:.1f} MB\n\n{job.job.why}{notes}"
            f"\n\n<details><summary>Details</summary>\n\n{folded}\n\n</details>"
        )

    def _finish(
        self, job: Job, run: pipeline.Upscale, pixels: np.ndarray, times: Times, dpi: float | None
    ) -> tuple[str, str]:
        """The finished render saved as a PNG named after the photo, model and size (with its print resolution,
        for a print preset), and the status line; the speed of both parts of the render recorded for the next
        estimate."""
        start = time.perf_counter()
        off = run.consistency
        if off is None and job.placement.render == (job.width, job.height):  # the whole photo: comparable
            off = consistency(pixels.astype(np.float32) / 255, photo_floats(job.picture.rgb))
        name = result_name(job.image, job.model, job.width, job.height)
        path = save(name, lambda path: save_image(finish_image(pixels, job.picture), path, "PNG", dpi=dpi))
        finish_seconds = time.perf_counter() - start
        plus = job.views > 1  # LIIF+'s finish back-projects: its seconds would slow a standard render's estimate
        self.context.workbench.record_speed(
            job.compute, work(job), times.rows, 0 if plus else job.width * job.height, finish_seconds
        )
        total = time.perf_counter() - times.started
        return path, self._status(job, total, times.rows, off, Path(path).stat().st_size)

    def render(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        fit: str = STRETCH,
        pad: str = DEFAULT_PAD,
        dpi: float | None = None,
    ) -> tuple[str, str]:
        """Render the photo at exactly ``width`` x ``height`` (stretched, filled or fitted); returns the PNG's
        path (``dpi``: the print resolution it records) and a status line."""
        *_, (path, status) = self.stream(image, width, height, model, precision, quality, fit, pad, dpi)
        assert path is not None
        return path, status

    @user_errors
    @waited_for
    def stream(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        fit: str = STRETCH,
        pad: str = DEFAULT_PAD,
        dpi: float | None = None,
    ) -> Iterator[tuple[str | None, str]]:
        """:meth:`render` as the API runs it: the progress at most once a second, then the PNG and the status.
        Between two steps Gradio can end it: a client that went away stops its render within a second or so."""
        started = time.perf_counter()
        dpi = None if dpi is None else finite("Print resolution (dpi)", dpi, 1, MAX_DPI)
        asked = self.context.request(image, width, height, model, precision, quality, fit, pad)
        yield None, "Encoding the photo…"
        job = self.context.encode(asked)
        run = pipeline.Upscale(job.job, job.encoded.model, job.encoded.views, band=LIVE_BAND)  # a step each 0.5 s
        live = Live()
        live.preview(asked)
        for text, _ in live.paint(run, self.context.workbench.speed(job.precision), work(job)):
            yield None, text
        result, status = self._finish(job, run, live.canvas, Times(started, live.rows_seconds), dpi)
        del live, run
        give_back()
        yield result, status

    def start(self, request: gr.Request) -> int:
        """Upscale was clicked: a new ticket, so any render this session still runs stops at its next step."""
        return self.tickets.take(request.session_hash or "")

    def finished_newest(self, session: str) -> bool:
        """Whether the session's newest Upscale click is a render that finished: its follow-ups may run. A
        superseded or stopped render's crop, line, sweep and cell study never start, so they do not compete
        with the render that replaced it for the cores."""
        return self._finished_tickets.get(session) == self.tickets.newest(session)

    def stop(self, request: gr.Request) -> None:
        self.tickets.take(request.session_hash or "", stop=True)

    @user_errors
    @waited_for
    def live(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str,
        quality: str,
        ticket: int,
        request: gr.Request,
        fit: str = STRETCH,
        pad: str = DEFAULT_PAD,
        dpi: float | None = None,
    ) -> Iterator[Frame]:
        """The page's Upscale: the bicubic preview at once, then LIIF painted over it band by band.

        The last frame is the same PNG :meth:`render` returns, with this machine's measured speed for the
        page's time estimates. A newer click or Stop ends it at its next step (see tickets).
        """
        started = time.perf_counter()  # the time reported counts the wait for the photo's encoding too
        session = request.session_hash or ""
        check = functools.partial(self.tickets.check, session, ticket)
        live = Live()
        try:
            check()  # a request still queued when a newer one was made never starts
            asked = self.context.request(image, width, height, model, precision, quality, fit, pad)
            live.preview(asked)
            yield live.frame(f"Bicubic preview at {asked.width}×{asked.height}; encoding the photo…", None)
            job = self.context.encode(asked, lambda _d, _t: check())
            run = pipeline.Upscale(job.job, job.encoded.model, job.encoded.views, progress=lambda _d, _t: check(),
                                   band=LIVE_BAND)  # fmt: skip
            for text, done in live.paint(run, self.context.workbench.speed(job.precision), work(job)):
                yield live.frame(text, done)
            check()
            result, status = self._finish(job, run, live.canvas, Times(started, live.rows_seconds), dpi)
            give_back()
            self._finished_tickets.put(session, ticket)
            done_view = shown(asked, f"gradio_api/file={result}", "done", f"{asked.width}×{asked.height} · done")
            yield Frame(status, done_view, result, self.context.workbench.speed(job.precision))
        except SupersededError as exc:
            if exc.stopped and live.last:
                stopped = {**live.last, "state": "stopped", "text": "Stopped: a preview, not a result"}
                yield Frame("Stopped. Press **Upscale** to render again.", stopped)

    @user_errors
    def download(self, finished: str | None, fmt: str, quality: float) -> tuple[str | None, str]:
        """The finished render to download, as rendered (PNG) or as JPEG or WebP at ``quality``, under the PNG's
        name with the format's own extension, and the button's label; (None, a label) before a render is done.
        Only the app's own results are read (``finished`` is server-side state)."""
        if not finished:
            return None, "Download (once a render is done)"
        if fmt not in DOWNLOAD_SUFFIXES:
            raise refuse(f"Download format must be one of {', '.join(DOWNLOAD_SUFFIXES)}, got {echo(fmt)}.")
        source = Path(finished)
        if not source.resolve().is_relative_to(Path(get_upload_folder()).resolve()) or not source.is_file():
            raise refuse("That render is no longer kept here: press Upscale again.")
        path = finished
        if fmt != "PNG":
            level = round(finite("Quality", quality, 1, 100))
            with Image.open(source) as image:
                image.load()
                dpi = saved_dpi(image)  # a print keeps its resolution in every format
                name = source.with_suffix(DOWNLOAD_SUFFIXES[fmt]).name
                path = save(name, lambda out: save_image(image, out, fmt, level, dpi=dpi))
        label = "WebP" if fmt == "WEBP" else fmt
        return path, f"Download {label} · {Path(path).stat().st_size / 1e6:.1f} MB"
