"""Upscale: the whole render, for the API at once and for the page streamed band by band over a preview.

Both run the one pipeline (:mod:`liif.pipeline.run`) on the app's cached grids; the page paints its bands over a
bicubic preview and sends a frame at most once a second.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
from gradio.utils import get_upload_folder
from PIL import Image

from demo.components import echo, refuse
from demo.events.common import (
    AUTO,
    DEFAULT_PAD,
    STANDARD,
    STRETCH,
    Context,
    Job,
    file_size,
    finite,
    result_name,
    save,
    user_errors,
    waited_for,
)
from demo.events.live import Frame, Live, Times, shown, work
from demo.lru import BoundedLRU
from demo.memory import give_back
from demo.tickets import SupersededError, Tickets
from liif import pipeline
from liif.io.images import IMAGE_FORMATS
from liif.io.output import finish_image, save_image, saved_dpi
from liif.pipeline.refine import consistency, photo_floats

# what the finished render downloads as: each of the library's formats under its first suffix (JPEG as .jpg)
DOWNLOAD_SUFFIXES = {
    fmt: next(suffix for suffix, named in IMAGE_FORMATS.items() if named == fmt)
    for fmt in dict.fromkeys(IMAGE_FORMATS.values())
}
MAX_DPI = 10_000  # the largest print resolution a request may ask to record
SESSIONS_KEPT = 4096  # sessions whose last finished render is remembered (its follow-ups may run)

LIVE_BAND = 16_384  # pixels per band of the live render: the first LIIF rows show within about 0.5 s


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
        finish = "back-projected" if job.job.back_project else "averaged"
        plus = f" (LIIF+: {job.views} views, {finish})" if job.views > 1 else ""
        details = [
            f"{job.width}×{job.height} from {picture.width}×{picture.height} "
            f"({job.placement.scale_words(picture.width, picture.height)}) · {encode_text} · "
            f"render {rows_seconds:.1f} s · {job.model}{plus} on {bench.device_name}, {job.arithmetic}"
        ]
        if off is not None:
            details.append(
                f"Shrunk back to the photo's size, the result differs from it by {off:.2f} levels of 255 (mean)."
            )
        notes = "".join(f"\n\n*{n}*" for n in (*job.job.notes, *bench.notes.get(job.model, ())))
        folded = "\n\n".join(details)
        return (
            f"**Done in {total:.1f} s** · {job.width}×{job.height} PNG, {file_size(size)}\n\n{job.job.why}{notes}"
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
        return path, f"Download {label} · {file_size(Path(path).stat().st_size)}"
