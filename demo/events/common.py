"""What every event needs: the one request check, one-line errors, numbers checked, files saved.

Events take plain values and return plain values (pictures, paths, text), so tests call them directly;
the page (demo/page/) maps them onto components.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import math
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from gradio.utils import get_upload_folder

import liif
from demo.components import NOT_SAVED, echo, refuse
from demo.foreground import Foreground
from demo.workbench import PRECISION_CHOICES, Encoded, Workbench
from liif import pipeline
from liif.core.coords import TRANSFORMS
from liif.core.hardware import Compute
from liif.io.output import atomic_output
from liif.io.sizes import check_size
from liif.pipeline.layout import FITS, Layout
from liif.pipeline.run import Quality

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("liif.app")

STANDARD, LIIF_PLUS = Quality.STANDARD.value, Quality.PLUS.value  # the quality values the page and the API take
STRETCH = FITS[0]  # the fit unless a request names another
DEFAULT_PAD = "#000000"  # fit's margins unless the request names a colour (or transparent)
QUALITIES = [("Standard", STANDARD), ("LIIF+: a little sharper, about 8× slower", LIIF_PLUS)]  # (label, value)
AUTO, EXACT = PRECISION_CHOICES
PRECISIONS = [("Auto (fastest here)", AUTO), ("Exact (32-bit floats at every pixel)", EXACT)]  # (label, value)
LIIF_PLUS_VIEWS = len(TRANSFORMS)  # LIIF+ averages the photo's flips and transposes
APP_LIMIT = "LIIF_APP_MAX_OUTPUT_PIXELS or app.py --max-output"
LARGEST_INDEX = 2**31  # no tile column, row or size is larger; bigger numbers are refused, not converted


def message(exc: liif.LiifError | MemoryError) -> str:
    """The one line a library error, or memory running out, becomes for the person."""
    return "out of memory: try a smaller size" if isinstance(exc, MemoryError) else str(exc)


def _around(fn: F, context: Callable[[tuple[Any, ...]], AbstractContextManager[Any]]) -> F:
    """``fn`` run inside ``context(args)``; for a streaming event, while it is iterated."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def frames(*args: Any, **kwargs: Any) -> Any:
            with context(args):
                yield from fn(*args, **kwargs)

        return frames  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with context(args):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (liif.LiifError, MemoryError) as exc:
        raise refuse(message(exc)) from None


def user_errors(fn: F) -> F:
    """Show the library's one-line errors as Gradio errors instead of a crash."""
    return _around(fn, lambda _: _translated())


def waited_for(method: F) -> F:
    """An event a person waits for (a method of an object with a ``context``): deep-zoom tiles do not start
    while it runs."""
    return _around(method, lambda args: args[0].context.foreground.running())


def need_image(image: str | None) -> str:
    if not image:
        raise refuse("Upload, paste or pick a photo first.")
    return image


def finite(name: str, value: Any, low: float, high: float) -> float:
    """A number sent to the app: within [low, high] (so finite, and never true or false), or one line."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise refuse(f"{name} must be a number from {low:g} to {high:g}, got {echo(value)}.")
    return value


def whole(name: str, value: Any) -> int:
    """A count or index sent to the app: a whole number of a sane size, or one line saying so."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -LARGEST_INDEX <= value <= LARGEST_INDEX
        or value != int(value)
    ):
        raise refuse(f"{name} must be a whole number from {-LARGEST_INDEX} to {LARGEST_INDEX}, got {echo(value)}.")
    return int(value)


def on_render(centre_x: Any, centre_y: Any, request: Request) -> tuple[float, float]:
    """The crop centre, sent in pixels of the W x H output, checked, in pixels of the render of the whole photo
    the output shows (:class:`liif.pipeline.layout.Layout`); a centre in fit's margins is taken to the photo's edge."""
    x = finite("Crop centre x", centre_x, 0, request.width)
    y = finite("Crop centre y", centre_y, 0, request.height)
    (rx, ry), (render_w, render_h) = request.placement.to_render(x, y), request.placement.render
    return min(max(rx, 0), render_w), min(max(ry, 0), render_h)


def on_photo(centre_x: Any, centre_y: Any, request: Request) -> tuple[float, float]:
    """:func:`on_render` in the photo's own pixels."""
    rx, ry = on_render(centre_x, centre_y, request)
    (render_w, render_h), picture = request.placement.render, request.picture
    return rx * picture.width / render_w, ry * picture.height / render_h


def fractions(placement: Layout, *points: tuple[float, float]) -> list[float]:
    """Output points (x, y) as fractions of the photo's render, flat: what the page keeps of a mark, so that it
    stays on the same spot of the photo when the size or the fit changes."""
    render_w, render_h = placement.render
    flat: list[float] = []
    for point in points:
        rx, ry = placement.to_render(*point)
        flat += [rx / render_w, ry / render_h]
    return flat


def tenths(*points: tuple[float, float]) -> tuple[float, ...]:
    """Points (x, y) as a flat tuple rounded to a tenth of a pixel, as the number boxes show them."""
    return tuple(round(v, 1) for point in points for v in point)


def output_size(width: float | None, height: float | None, limit: int) -> tuple[int, int]:
    if width is None or height is None:
        raise refuse("Width and height must be numbers.")
    if not (math.isfinite(width) and math.isfinite(height)):
        raise refuse(f"Width and height must be finite numbers, got {echo(width)} x {echo(height)}.")
    if width != int(width) or height != int(height):
        raise refuse(f"Width and height must be whole pixels, got {echo(width)} x {echo(height)}.")
    return check_size(int(width), int(height), max_pixels=limit, limit_name=APP_LIMIT)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:60]


def result_name(image: str, model: str, width: int, height: int) -> str:
    """The download's name: photo, model and size, e.g. ``forest_edsr-baseline-liif_800x600.png``."""
    return f"{_slug(Path(image).stem) or 'photo'}_{_slug(Path(model).stem) or 'model'}_{width}x{height}.png"


def file_size(size: int) -> str:
    """A file's size as a person reads it: "1.4 MB", or "37 KB" for a small one ("0.0 MB" said nothing)."""
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1e3))} KB"


def save(name: str, write: Callable[[Path], object]) -> str:
    """A new file inside Gradio's cache, served under its own name and removed by ``delete_cache`` later. A
    failed write (a full disk) is one line for the person that names no path of the server's."""
    folder = Path(get_upload_folder()) / "liif" / uuid.uuid4().hex
    try:
        folder.mkdir(parents=True)
        with atomic_output(folder / name) as partial:
            write(partial)
    except (OSError, liif.LiifError) as exc:
        log.warning("could not save %s: %s", name, exc)
        with contextlib.suppress(OSError):
            folder.rmdir()
        raise refuse(NOT_SAVED) from None
    return str(folder / name)


@dataclass(frozen=True)
class Request:
    """A checked request: the photo (decoded, by its digest) and the upscale it asks for (:class:`pipeline.Job`:
    the size, the layout, the model chosen for the photo and why), with what computes it here."""

    image: str
    key: str  # the photo's digest
    job: pipeline.Job
    compute: Compute  # what computes under the precision choice here
    arithmetic: str  # which precision ran and why, for the status line

    @property
    def picture(self) -> liif.Picture:
        return self.job.picture

    @property
    def width(self) -> int:
        return self.job.width

    @property
    def height(self) -> int:
        return self.job.height

    @property
    def placement(self) -> Layout:
        """Where the render of the whole photo lies in the output: stretched, filled or fitted."""
        return self.job.placement

    @property
    def model(self) -> str:
        return self.job.model

    @property
    def precision(self) -> str:
        """The choice, "auto" or "exact": what the library is asked for."""
        return self.job.precision

    @property
    def views(self) -> int:
        """1, or LIIF+'s views."""
        return self.job.views


@dataclass(frozen=True)
class Job(Request):
    """A checked request with its photo encoded: the latent grid(s) to render from."""

    encoded: Encoded


@dataclass
class Context:
    """What every event reads: the workbench (models, photos, grids, speed) and what runs first."""

    workbench: Workbench
    foreground: Foreground = field(default_factory=Foreground)  # renders, crops, lines: tiles wait for them

    def request(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str | None = AUTO,
        quality: str | None = STANDARD,
        fit: str | None = STRETCH,
        pad: str = DEFAULT_PAD,
    ) -> Request:
        """The one request check: a photo, a size within limits, an offered model (or auto: chosen from the
        photo), a known precision, quality (LIIF+ within its input bound), fit and pad; the rest is the
        pipeline's own check (:func:`liif.pipeline.run.check`)."""
        bench, config = self.workbench, self.workbench.config
        image = need_image(image)
        width, height = output_size(width, height, config.max_output_pixels)
        choice = bench.precision_choice(precision)
        chosen = bench.precision(choice)
        if quality not in (None, STANDARD, LIIF_PLUS):
            raise refuse(f"Quality must be {STANDARD} or {LIIF_PLUS}, got {echo(quality)}.")
        if fit is not None and fit not in FITS:
            raise refuse(f"Fit must be one of {', '.join(FITS)}, got {echo(fit)}.")
        if pad is not None and not isinstance(pad, str):
            raise refuse(f"Pad must be a colour such as #000000, or transparent; got {echo(pad)}.")
        key, picture = bench.picture(image)
        name, why = bench.choose_model(model, key, picture)
        plus = Quality(quality or STANDARD)
        pixels, limit = picture.width * picture.height, config.max_best_input_pixels
        if plus is Quality.PLUS and pixels > limit:
            raise refuse(
                f"LIIF+ takes photos up to {limit / 1e6:.2f} MP here (its {LIIF_PLUS_VIEWS} latent grids must fit "
                f"the server's grid memory); this one is {pixels / 1e6:.2f} MP: use standard, or a smaller photo."
            )
        job = pipeline.check(
            picture, width, height, fit=fit or STRETCH, pad=pad or DEFAULT_PAD, quality=plus, precision=choice,
            model=name, max_pixels=config.max_output_pixels, limit_name=APP_LIMIT,
            condition=bench.condition(key, picture),
        )  # fmt: skip
        return Request(image, key, replace(job, why=why), chosen.compute, chosen.why)

    def encode(self, request: Request, progress: Callable[[int, int], None] | None = None) -> Job:
        """The request's photo encoded (or its grids from the cache)."""
        encoded = self.workbench.encode_picture(request.key, request.picture, request.model, progress, request.views)
        return Job(**{f.name: getattr(request, f.name) for f in fields(request)}, encoded=encoded)

    def job(self, *args: Any, progress: Callable[[int, int], None] | None = None) -> Job:
        """:meth:`request` (same arguments), encoded."""
        return self.encode(self.request(*args), progress)
