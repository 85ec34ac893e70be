"""Upscale: the whole render, for the API at once and for the page streamed band by band over a preview."""

from __future__ import annotations

import base64
import functools
import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import torch
from gradio.utils import get_upload_folder
from PIL import Image

import liif
from demo.components import echo, refuse
from demo.events.common import (
    AUTO,
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
from demo.memory import give_back
from demo.tickets import SupersededError, Tickets
from demo.workbench import Speed
from liif.enlarge import describe
from liif.imageio import IMAGE_FORMATS, assemble_uint8, finish_image, save_image, to_uint8
from liif.layout import Layout, output_alpha, pad_colour, placed, placed_whole
from liif.refine import best_size, consistency, finish_best, gather, photo_floats
from liif.render import Box, plan

# what the finished render downloads as: each of the library's formats under its first suffix (JPEG as .jpg)
DOWNLOAD_SUFFIXES = {
    fmt: next(suffix for suffix, named in IMAGE_FORMATS.items() if named == fmt)
    for fmt in dict.fromkeys(IMAGE_FORMATS.values())
}
DEFAULT_PAD = "#000000"  # fit's margins unless the request names a colour (or transparent)
Pad = tuple[float, float, float] | None  # a pad colour as floats; None: transparent

PREVIEW_PIXELS = 1_000_000  # frames shown while streaming are thinned to about this many pixels
PREVIEW_QUALITY = 85  # previews travel as JPEG data URLs: a fraction of a PNG's bytes and encoding time
FRAME_SECONDS = 1.0  # after the first LIIF rows, at most one streamed frame a second
LIVE_BAND = 16_384  # pixels per band of the live render: the first LIIF rows show within about 0.5 s
PRIOR_SECONDS = 2.0  # the time left trusts the measured speed as much as this many seconds of the render's own


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


class Upscale:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.tickets = Tickets()
        self._finished_tickets: dict[str, int] = {}  # per session, the ticket of its last render that finished

    def _status(self, job: Job, seconds: float, off: float | None, placement: Layout) -> str:
        """Sizes, times, what ran and why, and how far the result is from the photo."""
        picture, encoded, bench = job.picture, job.encoded, self.context.workbench
        encode_text = "cached latent grid" if encoded.cached else f"encode {encoded.seconds:.1f} s"
        best = f" (LIIF+: {job.views} views, back-projected)" if job.views > 1 else ""
        status = (
            f"**{job.width}×{job.height}** from {picture.width}×{picture.height} "
            f"({_scales(job.width, job.height, picture)}) · {encode_text} · render {seconds:.1f} s · "
            f"{job.model}{best} on {bench.device_name}, {job.why}"
        )
        if off is not None:
            shrunk = f"Shrunk back to the photo's size, the result differs from it by {off:.2f} levels of 255 (mean)."
            status += f"\n\n{shrunk}"
        said = [placement.describe(picture.width, picture.height)]
        if job.views == 1:
            said.append(describe(*placement.render, picture.width, picture.height, self._liif_size(job, placement)))
        notes = [*filter(None, said), *bench.notes.get(job.model, ()), *picture.notes]
        return status + "".join(f"\n\n*{n}*" for n in notes)

    def _finish(
        self, job: Job, pixels: np.ndarray, seconds: float, floats: np.ndarray | None, placement: Layout, pad: Pad
    ) -> tuple[str, str]:
        """The finished render saved as a PNG named after the photo, model and size, and the status line. LIIF+
        (``floats``: its whole render, at ``best_size``) is finished first: enlarged where it is smaller than the
        output, back-projected onto the photo, then cropped or padded as the fit says."""
        photo = photo_floats(job.picture.rgb)
        if floats is not None:
            whole = finish_best(floats, *placement.render, photo)
            pixels[:] = assemble_uint8(placed_whole(whole, placement, pad), job.width, job.height)
        stretched = placement.render == (job.width, job.height)  # the whole photo, as the output: comparable
        off = consistency(pixels.astype(np.float32) / 255, photo) if stretched else None
        picture = replace(job.picture, alpha=output_alpha(job.picture.alpha, placement, pad is None))
        name = result_name(job.image, job.model, job.width, job.height)
        path = save(name, lambda path: finish_image(pixels, picture).save(path, format="PNG"))
        return path, self._status(job, seconds, off, placement)

    @staticmethod
    def _liif_size(job: Job, placement: Layout) -> tuple[int, int]:
        """The size LIIF itself renders for the job: LIIF+ no further than x4, auto no further than x8."""
        render_w, render_h = placement.render
        if job.views > 1:
            return best_size(render_w, render_h, job.picture.width, job.picture.height)
        return plan(job.encoded.views, render_w, render_h, job.precision)

    def _liif_pixels(self, job: Job) -> int:
        """LIIF's own pixels for the job, what its speed is measured in (each LIIF+ view counts): LIIF+ renders the
        whole photo, standard LIIF only the window the output shows (a fill's), at LIIF's own size."""
        liif_w, liif_h = self._liif_size(job, job.placement)
        if job.views > 1:
            return liif_w * liif_h * job.views
        (render_w, render_h), (left, top, right, bottom) = job.placement.render, job.placement.box
        return round((right - left) * liif_w / render_w * (bottom - top) * liif_h / render_h)

    @staticmethod
    def _latent_codes(job: Job) -> int:
        """The latent codes LIIF reads for the job: the photo's pixels under the window it renders (every view's
        for LIIF+). Reading a code costs about what rendering a pixel does, so a render near x1 takes twice its
        pixels' time: its speed is measured in pixels and codes together (:meth:`_work`)."""
        picture, placement = job.picture, job.placement
        if job.views > 1:
            return picture.width * picture.height * job.views
        (render_w, render_h), (left, top, right, bottom) = placement.render, placement.box
        return round((right - left) * picture.width / render_w * (bottom - top) * picture.height / render_h)

    def _work(self, job: Job) -> int:
        """LIIF's work for the job, the unit of the rows' speed: the pixels it renders and the codes it reads."""
        return self._liif_pixels(job) + self._latent_codes(job)

    def _finish_recorded(
        self, job: Job, rows_seconds: float, pixels: np.ndarray, floats: np.ndarray | None, pad: Pad
    ) -> tuple[str, str]:
        """:meth:`_finish`, timed: the speed of both parts of the render recorded for the next estimate."""
        start = time.perf_counter()
        result, status = self._finish(job, pixels, rows_seconds, floats, job.placement, pad)
        finish_seconds = time.perf_counter() - start
        output = job.width * job.height
        self.context.workbench.record_speed(
            job.compute, self._work(job), rows_seconds, 0 if floats is not None else output, finish_seconds
        )  # (LIIF+'s finish back-projects: its seconds would slow a standard render's estimate)
        return result, status

    @staticmethod
    def _pad(pad: str | None) -> Pad:
        """The checked pad colour of fit's margins (None: transparent)."""
        if pad is not None and not isinstance(pad, str):
            raise refuse(f"Pad must be a colour such as #000000, or transparent; got {echo(pad)}.")
        return pad_colour(pad or DEFAULT_PAD)

    @user_errors
    @waited_for
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
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio injects the tracker)
    ) -> tuple[str, str]:
        """Render the photo at exactly ``width`` x ``height`` (stretched, filled or fitted); returns the PNG's
        path and a status line."""

        def encoding(done: int, total: int) -> None:
            progress((done, total), desc="Encoding")

        asked = self.context.request(image, width, height, model, precision, quality, fit)
        placement, colour = asked.placement, self._pad(pad)
        job = self.context.encode(asked, encoding)
        start = time.perf_counter()

        def rows_at(w: int, h: int, box: Box | None = None) -> Iterator[tuple[int, torch.Tensor]]:
            return liif.iter_rows(
                job.encoded.model,
                job.encoded.views,
                w,
                h,
                box=box,
                precision=job.precision,
                progress=lambda d, t: progress(d / t, desc="Rendering"),
            )

        if job.views > 1:  # LIIF+: the render at no more than x4, kept whole for _finish
            bw, bh = best_size(*placement.render, job.picture.width, job.picture.height)
            floats = gather(rows_at(bw, bh), bw, bh)
            pixels = np.empty((job.height, job.width, 3), dtype=np.uint8)
        else:
            rows = placed(rows_at(*placement.render, placement.box), placement, colour)
            floats, pixels = None, assemble_uint8(rows, job.width, job.height)
        result, status = self._finish_recorded(job, time.perf_counter() - start, pixels, floats, colour)
        del pixels, floats
        give_back()
        return result, status

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
    ) -> Iterator[Frame]:
        """The page's Upscale: the bicubic preview at once, then LIIF painted over it band by band.

        The last frame is the same PNG :meth:`render` returns, with this machine's measured speed for the
        page's time estimates. A newer click or Stop ends it at its next step (see tickets).
        """
        check = functools.partial(self.tickets.check, request.session_hash or "", ticket)
        last: dict[str, Any] | None = None  # what the view shows now, kept (as stopped) after Stop
        try:
            check()  # a request still queued when a newer one was made never starts
            asked = self.context.request(image, width, height, model, precision, quality, fit)
            placement, colour = asked.placement, self._pad(pad)
            w, h = asked.width, asked.height
            x, y = placement.at
            left, top, right, bottom = placement.box
            canvas = np.empty((h, w, 3), dtype=np.uint8)
            canvas[:] = np.round(np.asarray(colour or (0.0, 0.0, 0.0)) * 255).astype(np.uint8)
            canvas[y : y + bottom - top, x : x + right - left] = np.asarray(
                placement.window_of(asked.picture.rgb_image())
            )
            thin = max(1, math.ceil(math.sqrt(w * h / PREVIEW_PIXELS)))

            def frame(text: str, fraction: float | None) -> Frame:
                nonlocal last
                last = shown(asked, _data_url(canvas[::thin, ::thin]), "preview", text, fraction)
                return Frame(text, last)

            yield frame(f"Bicubic preview at {w}×{h}; encoding the photo…", None)
            job = self.context.encode(asked, lambda _d, _t: check())
            prior, work = self.context.workbench.speed(job.precision), self._work(job)
            start = time.perf_counter()
            shown_at = start - FRAME_SECONDS  # the first LIIF band is shown as soon as it is there
            # LIIF+ renders the whole photo no further than x4 (enlarged after) and is back-projected: it keeps
            # the floats. Standard LIIF renders the window the fit shows, painted over the preview band by band.
            if job.views > 1:
                bw, bh = best_size(*placement.render, job.picture.width, job.picture.height)
                box = None
                floats: np.ndarray | None = np.empty((bh, bw, 3), dtype=np.float32)
            else:
                (bw, bh), box, floats = placement.render, placement.box, None
            rows = liif.iter_rows(
                job.encoded.model,
                job.encoded.views,
                bw,
                bh,
                box=box,
                precision=job.precision,
                progress=lambda _d, _t: check(),
                band=LIVE_BAND,
            )
            total_rows = bottom - top if floats is None else bh
            for row, rgb in rows:
                if floats is None:
                    canvas[y + row : y + row + rgb.shape[0], x : x + right - left] = to_uint8(rgb)
                else:
                    floats[row : row + rgb.shape[0]] = rgb.numpy()
                now = time.perf_counter()
                if now - shown_at >= FRAME_SECONDS and row + rgb.shape[0] < total_rows:
                    done = (row + rgb.shape[0]) / total_rows
                    yield frame(progress_text(done, time_left(done, now - start, work, w * h, prior)), done)
                    shown_at = now
            check()
            result, status = self._finish_recorded(job, time.perf_counter() - start, canvas, floats, colour)
            del floats
            give_back()
            self._finished_tickets[request.session_hash or ""] = ticket
            done_view = shown(asked, f"gradio_api/file={result}", "done", f"{w}×{h} · done")
            yield Frame(status, done_view, result, self.context.workbench.speed(job.precision))
        except SupersededError as exc:
            if exc.stopped:
                stopped = last and {**last, "state": "stopped", "text": "Stopped: a preview, not a result"}
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
                path = save(
                    source.with_suffix(DOWNLOAD_SUFFIXES[fmt]).name, lambda out: save_image(image, out, fmt, level)
                )
        label = "WebP" if fmt == "WEBP" else fmt
        return path, f"Download {label} · {Path(path).stat().st_size / 1e6:.1f} MB"
