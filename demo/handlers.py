"""Event functions of the app. Each takes plain values and returns plain values, so tests can call them."""

from __future__ import annotations

import base64
import contextlib
import functools
import inspect
import io
import json
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr
import numpy as np
from gradio.utils import get_upload_folder
from PIL import Image

import liif
from demo.components import echo, refuse
from demo.foreground import Foreground
from demo.lru import BoundedLRU
from demo.memory import give_back
from demo.plots import CHANNEL_CHOICES, LUMINANCE, profile_figure, sweep_sheet
from demo.tickets import SupersededError, Tickets
from demo.tilegate import ID_CHARS
from demo.workbench import PRECISION_CHOICES, Encoded, Workbench
from liif.compare import crop_box, resample_window, sweep_windows
from liif.coords import TRANSFORMS
from liif.detail import detail_spot, edge_line, edge_width, luminance
from liif.explain import DIFFERENCE_GAIN, cell_study, draw_point_query, explain_pixel
from liif.imageio import assemble_uint8, atomic_output, finish_image, to_uint8
from liif.profile import CSV_HEADER, line_profile
from liif.sizes import check_size
from liif.tiles import MAX_ZOOM as MAX_DEEP_ZOOM
from liif.tiles import render_tile, resample_tile, tile_box

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("liif.app")
STANDARD, BEST = "standard", "best"  # the quality values the page and the API take
QUALITIES = [("standard", STANDARD), ("best: LIIF+ (about 8× slower)", BEST)]  # (label, value)
AUTO, EXACT = PRECISION_CHOICES
PRECISIONS = [("auto (bf16 where native)", AUTO), ("exact (fp32)", EXACT)]
MAX_ZOOM = 16  # the zoom slider's range; the API refuses more
MIN_CROP_SCALE = 4  # a new photo's crop starts at least this many times the photo's size: the difference shows
LINE_LENGTH = 48  # output pixels: a new photo's line crosses one edge, so the curves can be read
SWEEP_SIDE = 128  # pixels of each window of the scale sweep
CELL_REGION = 192  # side of the photo region the cell study downscales and brings back
MAX_CROP = 256  # the crop slider's range, in output pixels
APP_LIMIT = "LIIF_APP_MAX_OUTPUT_PIXELS or app.py --max-output"
PREVIEW_PIXELS = 1_500_000  # frames shown while streaming are thinned to about this many pixels
FRAME_SECONDS = 1.0  # after the first LIIF rows, at most one streamed frame a second
LIVE_BAND = 16_384  # pixels per band of the live render: the first LIIF rows show within about 0.5 s
TILE_METHODS = ("liif", "bicubic", "nearest")
DROPS_KEPT = 4096  # tile requests the viewer said it no longer wants, remembered until they come
DROPS_PER_CALL = 256  # tile ids one drop call may name (the viewer names the few it has in flight)
TILE_NUMBERS = (("Column", "col"), ("Row", "row"), ("Tile size", "size"))  # (name in messages, request key)
NOT_SAVED = "The server could not save the result (its disk is full or cannot be written): try again later."
LIIF_PLUS_VIEWS = len(TRANSFORMS)  # LIIF+ averages the photo's flips and transposes
LARGEST_INDEX = 2**31  # no tile column, row or size is larger; bigger numbers are refused, not converted


def _message(exc: liif.LiifError | MemoryError) -> str:
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
        raise refuse(_message(exc)) from None


def user_errors(fn: F) -> F:
    """Show the library's one-line errors as Gradio errors instead of a crash."""
    return _around(fn, lambda _: _translated())


def waited_for(method: F) -> F:
    """A :class:`Handlers` event a person waits for: deep-zoom tiles do not start while it runs."""
    return _around(method, lambda args: args[0].foreground.running())


def _need_image(image: str | None) -> str:
    if not image:
        raise refuse("Upload, paste or pick a photo first.")
    return image


def _finite(name: str, value: Any, low: float, high: float) -> float:
    """A number sent to the app: within [low, high] (so finite, and never true or false), or one line."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise refuse(f"{name} must be a number from {low:g} to {high:g}, got {echo(value)}.")
    return value


def _whole(name: str, value: Any) -> int:
    """A count or index sent to the app: a whole number of a sane size, or one line saying so."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -LARGEST_INDEX <= value <= LARGEST_INDEX
        or value != int(value)
    ):
        raise refuse(f"{name} must be a whole number from {-LARGEST_INDEX} to {LARGEST_INDEX}, got {echo(value)}.")
    return int(value)


def _on_photo(centre_x: Any, centre_y: Any, width: int, height: int, picture: liif.Picture) -> tuple[float, float]:
    """The crop centre, sent in pixels of the W x H output, checked and in the photo's own pixels."""
    x, y = _finite("Crop centre x", centre_x, 0, width), _finite("Crop centre y", centre_y, 0, height)
    return x * picture.width / width, y * picture.height / height


def _tenths(*points: tuple[float, float]) -> tuple[float, ...]:
    """Points (x, y) as a flat tuple rounded to a tenth of a pixel, as the number boxes show them."""
    return tuple(round(v, 1) for point in points for v in point)


def _png(image: Image.Image | np.ndarray) -> bytes:
    """PNG bytes, compressed lightly: tiles are made on demand, and speed matters more than size."""
    out = io.BytesIO()
    (image if isinstance(image, Image.Image) else Image.fromarray(image)).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _size(width: float | None, height: float | None, limit: int) -> tuple[int, int]:
    if width is None or height is None:
        raise refuse("Width and height must be numbers.")
    if not (math.isfinite(width) and math.isfinite(height)):
        raise refuse(f"Width and height must be finite numbers, got {echo(width)} x {echo(height)}.")
    if width != int(width) or height != int(height):
        raise refuse(f"Width and height must be whole pixels, got {echo(width)} x {echo(height)}.")
    return check_size(int(width), int(height), max_pixels=limit, limit_name=APP_LIMIT)


def _rgb(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


def _scales(width: int, height: int, picture: liif.Picture) -> str:
    return f"×{width / picture.width:.2f} across, ×{height / picture.height:.2f} down"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:60]


def result_name(image: str, model: str, width: int, height: int) -> str:
    """The download's name: photo, model and size, e.g. ``forest_edsr-baseline-liif_800x600.png``."""
    return f"{_slug(Path(image).stem) or 'photo'}_{_slug(Path(model).stem) or 'model'}_{width}x{height}.png"


def _save(name: str, write: Callable[[Path], object]) -> str:
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


def save_result(image: Image.Image, name: str) -> str:
    return _save(name, lambda path: image.save(path, format="PNG"))


def save_text(text: str, name: str) -> str:
    return _save(name, lambda path: path.write_text(text))


def _short_id(part: Any) -> str | None:
    if isinstance(part, str) and len(part) <= ID_CHARS:
        return part
    if isinstance(part, int) and not isinstance(part, bool) and -LARGEST_INDEX <= part <= LARGEST_INDEX:
        return str(part)
    return None


def _ticket(page: Any, tile: Any) -> tuple[str, str] | None:
    """A viewer's (page, tile id), only if both are short strings or numbers: ids of any size are not kept."""
    parts = _short_id(page), _short_id(tile)
    return (parts[0], parts[1]) if parts[0] is not None and parts[1] is not None else None


class _TileDroppedError(Exception):
    """The viewer no longer wants this tile: it left the view while it waited or rendered."""


@dataclass(frozen=True)
class _Job:
    """A checked request: the encoded photo, the output size, and how to render it."""

    image: str
    encoded: Encoded
    width: int
    height: int
    model: str
    precision: str  # what computes: "fp32" or "bf16"
    why: str  # which precision ran and why, for the status line


class Handlers:
    """The app's events, bound to one :class:`Workbench` (models and caches)."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench
        self.tickets = Tickets()
        self.tiles: BoundedLRU[tuple[Any, ...], bytes] = BoundedLRU(max_size=bench.config.tile_cache_bytes, size=len)
        self._rendering = threading.Lock()  # held while a LIIF tile renders
        self.foreground = Foreground()  # renders, crops, lines: tiles wait for them
        # (page, tile id) of tiles the viewer gave up, kept until they come (or, finished already, forgotten)
        self._dropped: BoundedLRU[tuple[str, str], bool] = BoundedLRU(DROPS_KEPT)
        self._placeholders: dict[str, Path] = {}  # the photo's PNG the viewer shows before any tile, per digest

    def _job(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str = AUTO,
        quality: str = STANDARD,
        progress: Callable[[int, int], None] | None = None,
    ) -> _Job:
        """Check what every event needs (a photo, a size within limits), then encode or reuse its grid(s)."""
        image = _need_image(image)
        width, height = _size(width, height, self.bench.config.max_output_pixels)
        model = model or self.bench.config.default_model
        chosen = self.bench.precision(precision)
        if quality not in (None, STANDARD, BEST):
            raise refuse(f"Quality must be {STANDARD} or {BEST}, got {echo(quality)}.")
        key, picture = self.bench.picture(image)
        views = 1
        if quality == BEST:
            views = LIIF_PLUS_VIEWS
            limit = self.bench.config.max_best_input_pixels
            if picture.width * picture.height > limit:
                raise refuse(
                    f"LIIF+ (best) takes photos up to {limit / 1e6:.2f} MP here (its {views} latent grids must fit "
                    f"the server's grid memory); this one is {picture.width * picture.height / 1e6:.2f} MP: use "
                    "standard, or a smaller photo."
                )
        encoded = self.bench.encode_picture(key, picture, model, progress, views=views)
        return _Job(image, encoded, width, height, model, chosen.compute, chosen.why)

    # --- the photo ---------------------------------------------------------------------------------------

    @user_errors
    def photo_changed(self, image: str | None, scale: float) -> tuple[Any, ...]:
        """The photo's own size (for the size controls in the browser), the output size at ``scale``, a line,
        and where the views start: the crop on the photo's most detailed spot (in output pixels and as
        fractions), a zoom that makes the crop at least x4 of the photo, and a short line across the
        strongest edge there."""
        if not image:
            return None, None, None, None, "No photo yet: upload, paste or pick one.", *(gr.skip(),) * 10
        _, picture = self.bench.picture(image)
        width, height = max(1, round(picture.width * scale)), max(1, round(picture.height * scale))
        notes = "".join(f"\n\n*{note}*" for note in picture.notes)
        info = f"Input {picture.width}×{picture.height} → output {width}×{height} · ×{scale:.2f}{notes}"
        spot = detail_spot(picture.rgb)
        fx, fy = spot[0] / picture.width, spot[1] / picture.height
        zoom = min(MAX_ZOOM, max(1.0, math.ceil(2 * MIN_CROP_SCALE / scale) / 2))  # the zoom slider's 0.5 steps
        line = _tenths(*edge_line(picture.rgb, spot, width, height, LINE_LENGTH))
        return (picture.width, picture.height, width, height, info, *_tenths((fx * width, fy * height)), fx, fy,
                zoom, *line)  # fmt: skip

    @user_errors
    def place_line(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        centre_x: float,
        centre_y: float,
        chosen: bool,
    ) -> tuple[Any, ...]:
        """After a render: unless the person chose the line's ends, put the line across the strongest edge
        near the crop centre, so the plot shows an edge without a click. Returns the ends (x0, y0, x1, y1)."""
        if chosen or not image:
            return (gr.skip(),) * 4
        w, h = _size(width, height, self.bench.config.max_output_pixels)
        _, picture = self.bench.picture(image)
        centre = _on_photo(centre_x, centre_y, w, h, picture)
        return _tenths(*edge_line(picture.rgb, centre, w, h, LINE_LENGTH))

    # --- upscale -----------------------------------------------------------------------------------------

    def _status(self, job: _Job, seconds: float) -> str:
        picture, encoded = job.encoded.picture, job.encoded
        encode_text = "cached latent grid" if encoded.cached else f"encode {encoded.seconds:.1f} s"
        status = (
            f"**{job.width}×{job.height}** from {picture.width}×{picture.height} "
            f"({_scales(job.width, job.height, picture)}) · {encode_text} · render {seconds:.1f} s · "
            f"{job.model}{' (LIIF+, 8 views)' if len(encoded.views) > 1 else ''} on {self.bench.device_name}, "
            f"{job.why}"
        )
        notes = [*self.bench.notes.get(job.model, ()), *picture.notes]
        return status + "".join(f"\n\n*{n}*" for n in notes)

    def _result(self, job: _Job, pixels: np.ndarray) -> str:
        name = result_name(job.image, job.model, job.width, job.height)
        return save_result(finish_image(pixels, job.encoded.picture), name)

    @user_errors
    @waited_for
    def upscale(
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
        job = self._job(image, width, height, model, precision, quality, lambda d, t: progress((d, t), desc="Encoding"))
        start = time.perf_counter()
        rows = liif.iter_rows(
            job.encoded.model, job.encoded.views, job.width, job.height, precision=job.precision,
            progress=lambda d, t: progress(d / t, desc="Rendering"),
        )  # fmt: skip
        pixels = assemble_uint8(rows, job.width, job.height)
        seconds = time.perf_counter() - start
        self.bench.record_speed(job.precision, job.width * job.height * len(job.encoded.views), seconds)
        result = self._result(job, pixels)
        del pixels
        give_back()
        return result, self._status(job, seconds)

    def start(self, request: gr.Request) -> int:
        """Upscale was clicked: a new ticket, so any render this session still runs stops at its next step."""
        return self.tickets.take(request.session_hash or "")

    def stop(self, request: gr.Request) -> None:
        self.tickets.take(request.session_hash or "", stop=True)

    @user_errors
    @waited_for
    def upscale_live(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str,
        quality: str,
        ticket: int,
        request: gr.Request,
    ) -> Iterator[tuple[Any, str, Any]]:
        """The page's Upscale: the bicubic preview at once, then LIIF painted over it band by band.

        The last frame is the same PNG :meth:`upscale` returns, with this machine's measured speed for the
        page's time estimates. A newer click or Stop ends it at its next step (see tickets).
        """
        check = functools.partial(self.tickets.check, request.session_hash or "", ticket)
        try:
            check()  # a request still queued when a newer one was made never starts
            image = _need_image(image)
            w, h = _size(width, height, self.bench.config.max_output_pixels)
            _, picture = self.bench.picture(image)
            canvas = np.asarray(picture.rgb_image().resize((w, h), Image.Resampling.BICUBIC)).copy()
            thin = max(1, math.ceil(math.sqrt(w * h / PREVIEW_PIXELS)))

            def frame() -> Image.Image:
                return Image.fromarray(canvas[::thin, ::thin])

            yield frame(), f"Bicubic preview at {w}×{h}; encoding the photo…", gr.skip()
            job = self._job(image, w, h, model, precision, quality, lambda _d, _t: check())
            start = time.perf_counter()
            shown = start - FRAME_SECONDS  # the first LIIF band is shown as soon as it is there
            total = w * h
            rows = liif.iter_rows(
                job.encoded.model, job.encoded.views, w, h, precision=job.precision, progress=lambda _d, _t: check(),
                band=LIVE_BAND,
            )  # fmt: skip
            for row, rgb in rows:
                canvas[row : row + rgb.shape[0]] = to_uint8(rgb)
                now = time.perf_counter()
                if now - shown >= FRAME_SECONDS and row + rgb.shape[0] < h:
                    done = (row + rgb.shape[0]) * w
                    left = (now - start) / done * (total - done)
                    yield frame(), _progress_line(done / total, left), gr.skip()
                    shown = now
            check()
            seconds = time.perf_counter() - start
            self.bench.record_speed(job.precision, total * len(job.encoded.views), seconds)
            result = self._result(job, canvas)
            give_back()
            yield result, self._status(job, seconds), self.bench.speed()
        except SupersededError as exc:
            if exc.stopped:
                yield gr.skip(), "Stopped. Press **Upscale** to render again.", gr.skip()

    # --- deep zoom --------------------------------------------------------------------------------------

    def _tile_png(
        self, key: str, picture: liif.Picture, request: dict[str, Any], wanted: Callable[[], bool] = lambda: True
    ) -> bytes:
        """A checked tile request's PNG, from the tile cache or rendered (LIIF from the cached grid). A LIIF
        tile no longer ``wanted`` is not started, or stops at its next step, with :class:`_TileDroppedError`."""
        method = request.get("method", "liif")
        if method not in TILE_METHODS:
            raise refuse(f"Method must be one of {', '.join(TILE_METHODS)}, got {echo(method)}.")
        zoom = _finite("Zoom", request.get("zoom"), 0, MAX_DEEP_ZOOM)
        col, row, size = (_whole(name, request.get(key)) for name, key in TILE_NUMBERS)
        try:
            tile_box(picture.width, picture.height, zoom, col, row, size)
        except ValueError as exc:
            raise refuse(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
        model = request.get("model") or self.bench.config.default_model
        self.bench.check_model(model)
        compute = self.bench.precision(request.get("precision")).compute
        cache_key = (key, model, compute if method == "liif" else "", method, zoom, col, row, size)
        png = self.tiles.get(cache_key)
        if png is None:
            if method == "liif":
                encoded = self.bench.encode_picture(key, picture, model)

                def still_wanted(_done: int = 0, _total: int = 0) -> None:
                    if not wanted():
                        raise _TileDroppedError

                with self._rendering:  # one tile at a time: each gets every core, the centre's comes first
                    self.foreground.wait_idle()
                    still_wanted()
                    tile = render_tile(encoded.model, encoded.grid, picture.width, picture.height, zoom, col, row,
                                       size, precision=compute, progress=still_wanted)  # fmt: skip
                png = _png(tile)
            else:
                png = _png(resample_tile(picture.rgb_image(), zoom, col, row, size, method=method))
            self.tiles.put(cache_key, png)
        return png

    @user_errors
    def tile(
        self,
        image: str | None,
        zoom: float | None,
        col: float | None,
        row: float | None,
        size: float | None = 256,
        model: str | None = None,
        precision: str = AUTO,
    ) -> str:
        """The API's tile: the window [col*size, row*size, +size) of the photo rendered at ``zoom`` x its size."""
        key, picture = self.bench.picture(_need_image(image))
        request = {"zoom": zoom, "col": col, "row": row, "size": size, "model": model, "precision": precision}
        png = self._tile_png(key, picture, request)
        return _save("tile.png", lambda path: path.write_bytes(png))

    def viewer_tile(self, request: Any) -> dict[str, str]:
        """A tile for the deep-zoom viewer: ``{"png": data URL}`` or ``{"error": one line}``, never an exception,
        so a bad or stale request draws nothing. The photo is named by its digest (see :meth:`viewer_source`)."""
        if not isinstance(request, dict):
            return {"error": "A tile request is a JSON object."}
        key = str(request.get("photo"))[:ID_CHARS]
        ticket = _ticket(request.get("page"), request.get("id"))  # None: a request that cannot be dropped
        try:
            png = self._tile_png(key, self.bench.cached_picture(key), request, lambda: ticket not in self._dropped)
        except _TileDroppedError:
            if ticket is not None:  # only a request with ids can have been dropped
                self._dropped.pop(ticket)
            return {"dropped": "This tile left the view before it was rendered."}
        except KeyError:
            return {"error": "This photo is no longer in the cache: pick it again."}
        except gr.Error as exc:
            return {"error": exc.message}
        except (liif.LiifError, MemoryError) as exc:
            return {"error": _message(exc)}
        except Exception:  # a bug: the server's log gets the traceback, the viewer one line
            log.exception("tile request %s failed", echo(request))
            return {"error": "This tile could not be made."}
        return {"png": "data:image/png;base64," + base64.b64encode(png).decode()}

    def viewer_drop(self, request: Any) -> dict[str, int]:
        """The viewer's word that tiles it asked for (``{"page": id, "tiles": [ids]}``) left the view: those still
        waiting are not rendered and one rendering stops, so the tiles now in view come sooner."""
        tiles = request.get("tiles") if isinstance(request, dict) else None
        if not isinstance(tiles, list) or len(tiles) > DROPS_PER_CALL:
            return {"dropped": 0}
        tickets = [ticket for tile in tiles if (ticket := _ticket(request.get("page"), tile))]
        if len(tickets) < len(tiles):
            return {"dropped": 0}
        for ticket in tickets:
            self._dropped.put(ticket, True)
        return {"dropped": len(tiles)}

    def warm(self, image: str | None, model: str | None) -> None:
        """Encode a new photo's grid before anyone asks, so the first tile or render does not wait for it."""
        try:
            if image:
                self.bench.encode(image, model or self.bench.config.default_model)
        except (liif.LiifError, MemoryError):
            pass  # the photo's own event has said what is wrong; a render would say it again

    def viewer_source(self, image: str | None, model: str | None, precision: str) -> str:
        """What the deep-zoom viewer shows, as JSON: the photo's digest and size, a PNG of it to show at once,
        and the model and precision its LIIF tiles use. Empty before a photo."""
        if not image:
            return ""
        try:
            key, picture = self.bench.picture(image)
        except liif.LiifError:
            return ""  # the photo's own event says what is wrong with it
        saved = self._placeholders.get(key)
        if saved is None or not saved.is_file():  # Gradio's delete_cache removes it after an hour
            saved = self._placeholders[key] = Path(save_result(picture.rgb_image(), "photo.png"))
        source = {"photo": key, "width": picture.width, "height": picture.height, "url": f"gradio_api/file={saved}",
                  "model": model or self.bench.config.default_model, "precision": precision}  # fmt: skip
        return json.dumps(source)

    # --- compare -----------------------------------------------------------------------------------------

    @user_errors
    @waited_for
    def compare(
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
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Bicubic vs LIIF (and nearest) on a crop of the W x H output around a centre, at a zoom."""
        crop_px, note = self._crop(crop, zoom)
        job = self._job(image, width, height, model, precision, quality)
        encoded, width, height = job.encoded, job.width, job.height
        start = time.perf_counter()
        centre = (_finite("Crop centre x", centre_x, 0, width), _finite("Crop centre y", centre_y, 0, height))
        box, virtual_w, virtual_h = crop_box(centre, crop_px, zoom, width, height)
        liif_crop = liif.render(encoded.model, encoded.views, virtual_w, virtual_h, box=box, precision=job.precision)
        source = encoded.picture.rgb_image()
        bicubic = resample_window(source, virtual_w, virtual_h, box, "bicubic")
        nearest = resample_window(source, virtual_w, virtual_h, box, "nearest")
        seconds = time.perf_counter() - start
        left, top, right, bottom = box
        status = (
            f"Crop {right - left}×{bottom - top} px of a virtual {virtual_w}×{virtual_h} output "
            f"(×{zoom:g} of {width}×{height}), centre ({centre_x:.0f}, {centre_y:.0f}) · {seconds:.2f} s{note}"
        )
        return (bicubic, Image.fromarray(to_uint8(liif_crop))), nearest, status

    # --- profile -----------------------------------------------------------------------------------------

    @user_errors
    @waited_for
    def profile(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        x0: float = 0.0,
        y0: float = 0.0,
        x1: float = 0.0,
        y1: float = 0.0,
        channels: list[str] | None = None,
    ) -> tuple[Any, str, str]:
        """The colour along the line (x0, y0) -> (x1, y1) of the W x H output: a plot (luminance, or the
        chosen ``channels`` of Luminance, R, G, B), a CSV file, and a status with the edge's 10-90 % width."""
        values = [x0, y0, x1, y1]
        if any(v is None for v in values):
            raise refuse("Line coordinates must be numbers.")
        job = self._job(image, width, height, model, precision, quality)
        encoded, width, height = job.encoded, job.width, job.height
        if not all(0 <= v <= limit for v, limit in zip(values, [width, height, width, height], strict=True)):
            raise refuse(f"The line must lie inside the {width}×{height} output.")
        start = time.perf_counter()
        prof = line_profile(
            encoded.model,
            encoded.views,
            encoded.picture.rgb,
            width,
            height,
            (x0, y0),
            (x1, y1),
            precision=job.precision,
        )
        seconds = time.perf_counter() - start
        csv_path = self._write_csv(prof.rows())
        widths = {name: edge_width(prof.distance, luminance(rgb.T)) for name, rgb in
                  (("bicubic", prof.bicubic), ("LIIF", prof.liif))}  # fmt: skip
        sharpness = ", ".join(f"{name} {w:.1f} px" for name, w in widths.items() if math.isfinite(w))
        status = (
            f"{len(prof.distance)} LIIF samples over {float(prof.distance[-1]):.1f} output px "
            f"({len(prof.input_distance)} input pixels crossed) · {seconds:.2f} s"
            + (f"\n\n**Edge width** (10–90 % rise of the luminance): {sharpness}" if sharpness else "")
        )
        shown = [c for c in (channels or [LUMINANCE]) if c in CHANNEL_CHOICES] or [LUMINANCE]
        return profile_figure(prof, shown), csv_path, status

    # --- how it works ------------------------------------------------------------------------------------

    @user_errors
    @waited_for
    def latent_grid(self, image: str | None, model: str | None = None) -> tuple[Image.Image, Image.Image, str]:
        """The input beside its latent grid drawn as a picture (PCA of the codes), both at input resolution."""
        model = model or self.bench.config.default_model
        encoded = self.bench.encode(_need_image(image), model)
        picture = encoded.picture.rgb_image()
        grid = encoded.grid
        status = f"{grid.width}×{grid.height} codes of {grid.channels} numbers: one per input pixel"
        return picture, Image.fromarray(self.bench.latent_picture(grid)), status

    @user_errors
    @waited_for
    def explain_point(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        x: float = 0.0,
        y: float = 0.0,
    ) -> tuple[Image.Image, str]:
        """The four codes behind output pixel (x, y): a drawing over the latent grid and a table."""
        job = self._job(image, width, height, model)
        encoded, width, height = job.encoded, job.width, job.height
        px, py = int(x or 0), int(y or 0)
        if not (0 <= px < width and 0 <= py < height):
            raise refuse(f"The point must lie inside the {width}×{height} output.")
        query = explain_pixel(encoded.model, encoded.grid, px, py, width, height)
        drawing = draw_point_query(self.bench.latent_picture(encoded.grid), query)
        lines = [
            f"Output pixel ({px}, {py}) sits at ({query.point[0]:.2f}, {query.point[1]:.2f}) on the latent grid.",
            "",
            "| latent cell (row, col) | offset from its centre (dy, dx), cells | weight | its RGB |",
            "|---|---|---|---|",
        ]
        for (row, col), (dy, dx), weight, rgb in zip(
            query.cells, query.offsets, query.weights, query.predictions, strict=True
        ):
            lines.append(f"| ({row}, {col}) | ({dy:+.2f}, {dx:+.2f}) | {weight:.3f} | {_rgb(rgb)} |")
        lines += [
            "",
            f"Weights sum to **{query.weights.sum():.4f}**; the blend is **{_rgb(query.colour)}**, "
            "the rendered pixel's colour.",
        ]
        return drawing, "\n".join(lines)

    @user_errors
    @waited_for
    def explain_cell(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        scale: float = 2,
        pretend: float = 4,
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Cell decoding on ground truth: the photo around the crop centre, downscaled by ``scale`` and
        brought back by LIIF with the true cell and with one ``pretend`` times smaller, scored against it."""
        job = self._job(image, width, height, model)
        picture, w, h = job.encoded.picture, job.width, job.height
        scale = round(_finite("The scale", scale, 2, 12))
        pretend = _finite("The pretended scale", pretend, 1, 8)
        cx, cy = _on_photo(centre_x, centre_y, w, h, picture)
        if min(picture.width, picture.height) < scale:
            raise refuse(
                f"The cell study shrinks the photo by ×{scale}: this {picture.width}×{picture.height} photo needs at "
                f"least {scale} px on each side."
            )
        side = min(CELL_REGION, picture.width, picture.height)
        left = min(max(round(cx - side / 2), 0), picture.width - side)
        top = min(max(round(cy - side / 2), 0), picture.height - side)
        region = picture.rgb_image().crop((left, top, left + side, top + side))
        try:
            study = cell_study(job.encoded.model, region, scale, pretend, precision=job.precision)
        except ValueError as exc:
            raise refuse(str(exc)) from None
        change = float((study.true_cell - study.small_cell).abs().mean())
        status = (
            f"A {side}×{side} px region of the photo at ({left}, {top}), downscaled ×{scale} and brought back: "
            f"PSNR against the region **{study.psnr_true:.2f} dB** with the true cell, "
            f"**{study.psnr_small:.2f} dB** with a cell {pretend:g}× smaller "
            f"(mean change {change:.4f}; the map shows it ×{DIFFERENCE_GAIN})."
        )
        pictures = (Image.fromarray(to_uint8(study.true_cell)), Image.fromarray(to_uint8(study.small_cell)))
        return pictures, Image.fromarray(study.difference()), status

    @user_errors
    @waited_for
    def sweep(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
    ) -> tuple[Image.Image, str]:
        """The crop centre's spot at x2 ... x32 of the photo: nearest, bicubic and LIIF rows in one picture."""
        job = self._job(image, width, height, model, precision, quality)
        encoded, picture = job.encoded, job.encoded.picture
        centre = _on_photo(centre_x, centre_y, job.width, job.height, picture)
        start = time.perf_counter()
        source = picture.rgb_image()
        rows: dict[str, list[Image.Image]] = {"nearest": [], "bicubic": [], "LIIF": []}
        windows = sweep_windows(centre, SWEEP_SIDE, picture.width, picture.height)
        for _, box, virtual_w, virtual_h in windows:
            for method in ("nearest", "bicubic"):
                rows[method].append(resample_window(source, virtual_w, virtual_h, box, method))
            window = liif.render(encoded.model, encoded.views, virtual_w, virtual_h, box=box, precision=job.precision)
            rows["LIIF"].append(Image.fromarray(to_uint8(window)))
        status = (
            f"The spot at ({centre[0]:.0f}, {centre[1]:.0f}) of the photo: {SWEEP_SIDE}-px windows of renders at "
            f"{', '.join(f'×{zoom:g}' for zoom, *_ in windows)} of it · {time.perf_counter() - start:.1f} s"
        )
        return sweep_sheet(rows, [f"x{zoom:g}" for zoom, *_ in windows]), status  # PIL's font has no "×"

    def _crop(self, crop: float | None, zoom: float | None) -> tuple[int, str]:
        """The crop side to render, shrunk so crop x zoom stays within the render limit, and a note if so."""
        limit = self.bench.config.max_crop_render
        asked = round(_finite("Crop size", crop, 1, MAX_CROP))
        zoom = _finite("Zoom", zoom, 1 / 64, MAX_ZOOM)
        crop_px = min(asked, max(1, int(limit / zoom)))
        note = f" (crop reduced to {crop_px} px: crops render at most {limit} px wide)" if crop_px < asked else ""
        return crop_px, note

    @staticmethod
    def _write_csv(rows: list[list[float]]) -> str:
        lines = [",".join(CSV_HEADER)] + [",".join(f"{v:.6g}" for v in row) for row in rows]
        return save_text("\n".join(lines) + "\n", "line-profile.csv")


def _progress_line(fraction: float, seconds_left: float) -> str:
    percent = round(100 * fraction)
    return f'<progress value="{percent}" max="100"></progress> LIIF {percent}% · about {seconds_left:.0f} s left'
