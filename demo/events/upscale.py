"""Upscale: the whole render, for the API at once and for the page streamed band by band over a preview."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr
import numpy as np
import torch
from PIL import Image

import liif
from demo.events.common import AUTO, STANDARD, Context, Job, result_name, save, user_errors, waited_for
from demo.memory import give_back
from demo.tickets import SupersededError, Tickets
from liif.enlarge import describe
from liif.imageio import assemble_uint8, finish_image, to_uint8
from liif.refine import best_size, consistency, finish_best, gather, photo_floats
from liif.render import plan

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

    def _status(self, job: Job, seconds: float, off: float) -> str:
        """Sizes, times, what ran and why, and how far the result is from the photo."""
        picture, encoded, bench = job.picture, job.encoded, self.context.workbench
        encode_text = "cached latent grid" if encoded.cached else f"encode {encoded.seconds:.1f} s"
        best = f" (LIIF+: {job.views} views, back-projected)" if job.views > 1 else ""
        status = (
            f"**{job.width}×{job.height}** from {picture.width}×{picture.height} "
            f"({_scales(job.width, job.height, picture)}) · {encode_text} · render {seconds:.1f} s · "
            f"{job.model}{best} on {bench.device_name}, {job.why}\n\n"
            f"Shrunk back to the photo's size, the result differs from it by {off:.2f} levels of 255 (mean)."
        )
        enlarged = describe(job.width, job.height, picture.width, picture.height, self._liif_size(job))
        notes = [*([enlarged] if enlarged and job.views == 1 else []), *bench.notes.get(job.model, ()), *picture.notes]
        return status + "".join(f"\n\n*{n}*" for n in notes)

    def _finish(self, job: Job, pixels: np.ndarray, seconds: float, floats: np.ndarray | None) -> tuple[str, str]:
        """The finished render saved as a PNG named after the photo, model and size, the speed recorded, and the
        status line. LIIF+ (``floats``: its whole render, at ``best_size``) is finished first: enlarged where it
        is smaller than the output, and back-projected onto the photo."""
        liif_w, liif_h = self._liif_size(job)  # the speed is that of LIIF's own pixels, as the estimate counts them
        self.context.workbench.record_speed(job.compute, liif_w * liif_h * job.views, seconds)
        photo = photo_floats(job.picture.rgb)
        if floats is not None:
            pixels[:] = to_uint8(torch.from_numpy(finish_best(floats, job.width, job.height, photo)))
        off = consistency(pixels.astype(np.float32) / 255, photo)
        name = result_name(job.image, job.model, job.width, job.height)
        path = save(name, lambda path: finish_image(pixels, job.picture).save(path, format="PNG"))
        return path, self._status(job, seconds, off)

    @staticmethod
    def _liif_size(job: Job) -> tuple[int, int]:
        """The size LIIF itself renders for the job: LIIF+ no further than x4, auto no further than x8."""
        if job.views > 1:
            return best_size(job.width, job.height, job.picture.width, job.picture.height)
        return plan(job.encoded.views, job.width, job.height, job.precision)

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
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio injects the tracker)
    ) -> tuple[str, str]:
        """Render the photo at exactly ``width`` x ``height``; returns the PNG's path and a status line."""

        def encoding(done: int, total: int) -> None:
            progress((done, total), desc="Encoding")

        job = self.context.job(image, width, height, model, precision, quality, progress=encoding)
        start = time.perf_counter()

        def rows_at(w: int, h: int) -> Iterator[tuple[int, torch.Tensor]]:
            return liif.iter_rows(
                job.encoded.model,
                job.encoded.views,
                w,
                h,
                precision=job.precision,
                progress=lambda d, t: progress(d / t, desc="Rendering"),
            )

        if job.views > 1:  # LIIF+: the render at no more than x4, kept whole for _finish
            bw, bh = best_size(job.width, job.height, job.picture.width, job.picture.height)
            floats = gather(rows_at(bw, bh), bw, bh)
            pixels = np.empty((job.height, job.width, 3), dtype=np.uint8)
        else:
            floats, pixels = None, assemble_uint8(rows_at(job.width, job.height), job.width, job.height)
        seconds = time.perf_counter() - start
        result, status = self._finish(job, pixels, seconds, floats)
        del pixels, floats
        give_back()
        return result, status

    def start(self, request: gr.Request) -> int:
        """Upscale was clicked: a new ticket, so any render this session still runs stops at its next step."""
        return self.tickets.take(request.session_hash or "")

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
    ) -> Iterator[Frame]:
        """The page's Upscale: the bicubic preview at once, then LIIF painted over it band by band.

        The last frame is the same PNG :meth:`render` returns, with this machine's measured speed for the
        page's time estimates. A newer click or Stop ends it at its next step (see tickets).
        """
        check = functools.partial(self.tickets.check, request.session_hash or "", ticket)
        try:
            check()  # a request still queued when a newer one was made never starts
            asked = self.context.request(image, width, height, model, precision, quality)
            w, h = asked.width, asked.height
            canvas = np.asarray(asked.picture.rgb_image().resize((w, h), Image.Resampling.BICUBIC)).copy()
            thin = max(1, math.ceil(math.sqrt(w * h / PREVIEW_PIXELS)))

            def frame() -> Image.Image:
                return Image.fromarray(canvas[::thin, ::thin])

            yield Frame(frame(), f"Bicubic preview at {w}×{h}; encoding the photo…")
            job = self.context.encode(asked, lambda _d, _t: check())
            start = time.perf_counter()
            shown = start - FRAME_SECONDS  # the first LIIF band is shown as soon as it is there
            # LIIF+ renders no further than x4 (enlarged after) and is back-projected: it keeps the floats.
            bw, bh = best_size(w, h, job.picture.width, job.picture.height) if job.views > 1 else (w, h)
            floats = np.empty((bh, bw, 3), dtype=np.float32) if job.views > 1 else None
            rows = liif.iter_rows(
                job.encoded.model,
                job.encoded.views,
                bw,
                bh,
                precision=job.precision,
                progress=lambda _d, _t: check(),
                band=LIVE_BAND,
            )
            for row, rgb in rows:
                if (bw, bh) == (w, h):  # painted over the preview where the bands are the output's own rows
                    canvas[row : row + rgb.shape[0]] = to_uint8(rgb)
                if floats is not None:
                    floats[row : row + rgb.shape[0]] = rgb.numpy()
                now = time.perf_counter()
                if now - shown >= FRAME_SECONDS and row + rgb.shape[0] < bh:
                    done = (row + rgb.shape[0]) * bw
                    yield Frame(frame(), progress_line(done / (bw * bh), (now - start) / done * (bw * bh - done)))
                    shown = now
            check()
            seconds = time.perf_counter() - start
            result, status = self._finish(job, canvas, seconds, floats)
            del floats
            give_back()
            yield Frame(result, status, self.context.workbench.speed(job.precision))
        except SupersededError as exc:
            if exc.stopped:
                yield Frame(None, "Stopped. Press **Upscale** to render again.")
