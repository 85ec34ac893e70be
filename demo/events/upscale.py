"""Upscale: the whole render, for the API at once and for the page streamed band by band over a preview."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import gradio as gr
import numpy as np
import torch
from PIL import Image

import liif
from demo.components import echo, refuse
from demo.events.common import (
    AUTO,
    STANDARD,
    Context,
    Job,
    Request,
    result_name,
    save,
    user_errors,
    waited_for,
)
from demo.memory import give_back
from demo.tickets import SupersededError, Tickets
from liif.enlarge import describe
from liif.imageio import assemble_uint8, finish_image, to_uint8
from liif.layout import FITS, Layout, layout, output_alpha, pad_colour, placed, placed_whole
from liif.refine import best_size, consistency, finish_best, gather, photo_floats
from liif.render import Box, plan

DEFAULT_PAD = "#000000"  # fit's margins unless the request names a colour (or transparent)
Pad = tuple[float, float, float] | None  # a pad colour as floats; None: transparent

PREVIEW_PIXELS = 1_500_000  # frames shown while streaming are thinned to about this many pixels
FRAME_SECONDS = 1.0  # after the first LIIF rows, at most one streamed frame a second
LIVE_BAND = 16_384  # pixels per band of the live render: the first LIIF rows show within about 0.5 s


@dataclass(frozen=True)
class Frame:
    """One step of the page's render: the picture so far (or the finished PNG's path), the status, and the
    measured speed once the render is done (None before)."""

    picture: Image.Image | str | None
    status: str
    speed: float | None = None


def _scales(width: int, height: int, picture: liif.Picture) -> str:
    return f"×{width / picture.width:.2f} across, ×{height / picture.height:.2f} down"


def progress_line(fraction: float, seconds_left: float) -> str:
    percent = round(100 * fraction)
    return f'<progress value="{percent}" max="100"></progress> LIIF {percent}% · about {seconds_left:.0f} s left'


class Upscale:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.tickets = Tickets()
        self._finished: dict[str, int] = {}  # per session, the ticket of its last render that finished

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
        """The finished render saved as a PNG named after the photo, model and size, the speed recorded, and the
        status line. LIIF+ (``floats``: its whole render, at ``best_size``) is finished first: enlarged where it
        is smaller than the output, back-projected onto the photo, then cropped or padded as the fit says."""
        liif_w, liif_h = self._liif_size(job, placement)  # the speed is that of LIIF's own pixels, as estimated
        self.context.workbench.record_speed(job.compute, liif_w * liif_h * job.views, seconds)
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

    @staticmethod
    def _placement(job: Request, fit: str | None, pad: str | None) -> tuple[Layout, Pad]:
        """The checked fit and pad colour: where the photo's render lies in the output."""
        if fit is not None and fit not in FITS:
            raise refuse(f"Fit must be one of {', '.join(FITS)}, got {echo(fit)}.")
        if pad is not None and not isinstance(pad, str):
            raise refuse(f"Pad must be a colour such as #000000, or transparent; got {echo(pad)}.")
        colour = pad_colour(pad or DEFAULT_PAD)
        return layout(job.picture.width, job.picture.height, job.width, job.height, fit or "stretch"), colour

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
        fit: str = "stretch",
        pad: str = DEFAULT_PAD,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio injects the tracker)
    ) -> tuple[str, str]:
        """Render the photo at exactly ``width`` x ``height`` (stretched, filled or fitted); returns the PNG's
        path and a status line."""

        def encoding(done: int, total: int) -> None:
            progress((done, total), desc="Encoding")

        asked = self.context.request(image, width, height, model, precision, quality)
        placement, colour = self._placement(asked, fit, pad)
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
        seconds = time.perf_counter() - start
        result, status = self._finish(job, pixels, seconds, floats, placement, colour)
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
        return self._finished.get(session) == self.tickets.newest(session)

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
        fit: str = "stretch",
        pad: str = DEFAULT_PAD,
    ) -> Iterator[Frame]:
        """The page's Upscale: the bicubic preview at once, then LIIF painted over it band by band.

        The last frame is the same PNG :meth:`render` returns, with this machine's measured speed for the
        page's time estimates. A newer click or Stop ends it at its next step (see tickets).
        """
        check = functools.partial(self.tickets.check, request.session_hash or "", ticket)
        try:
            check()  # a request still queued when a newer one was made never starts
            asked = self.context.request(image, width, height, model, precision, quality)
            placement, colour = self._placement(asked, fit, pad)
            w, h = asked.width, asked.height
            x, y = placement.at
            left, top, right, bottom = placement.box
            canvas = np.empty((h, w, 3), dtype=np.uint8)
            canvas[:] = np.round(np.asarray(colour or (0.0, 0.0, 0.0)) * 255).astype(np.uint8)
            preview = asked.picture.rgb_image().resize(placement.render, Image.Resampling.BICUBIC)
            canvas[y : y + bottom - top, x : x + right - left] = np.asarray(preview.crop(placement.box))
            thin = max(1, math.ceil(math.sqrt(w * h / PREVIEW_PIXELS)))

            def frame() -> Image.Image:
                return Image.fromarray(canvas[::thin, ::thin])

            yield Frame(frame(), f"Bicubic preview at {w}×{h}; encoding the photo…")
            job = self.context.encode(asked, lambda _d, _t: check())
            start = time.perf_counter()
            shown = start - FRAME_SECONDS  # the first LIIF band is shown as soon as it is there
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
                if now - shown >= FRAME_SECONDS and row + rgb.shape[0] < total_rows:
                    done = (row + rgb.shape[0]) / total_rows
                    yield Frame(frame(), progress_line(done, (now - start) / done * (1 - done)))
                    shown = now
            check()
            seconds = time.perf_counter() - start
            result, status = self._finish(job, canvas, seconds, floats, placement, colour)
            del floats
            give_back()
            self._finished[request.session_hash or ""] = ticket
            yield Frame(result, status, self.context.workbench.speed(job.precision))
        except SupersededError as exc:
            if exc.stopped:
                yield Frame(None, "Stopped. Press **Upscale** to render again.")
