"""Event functions of the app. Each takes plain values and returns plain values, so tests can call them."""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr
import numpy as np
from PIL import Image

import liif
from demo.plots import profile_figure
from demo.workbench import Encoded, Workbench
from liif.compare import crop_box, resample_window
from liif.digests import sha256_bytes
from liif.explain import cell_comparison, draw_point_query, explain_pixel, latent_pca
from liif.imageio import assemble_uint8, atomic_output, finish_image, to_uint8
from liif.profile import CSV_HEADER, line_profile
from liif.sizes import check_size

F = TypeVar("F", bound=Callable[..., Any])
FAST = "fast (bf16)"
EXACT = "exact (fp32)"
PRECISIONS = [EXACT, FAST]
OUTPUT_DIR = Path(tempfile.gettempdir()) / "liif-app"
MAX_ZOOM = 64


def user_errors(fn: F) -> F:
    """Show the library's one-line errors as Gradio errors instead of a crash."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except liif.LiifError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except MemoryError:
            raise gr.Error("out of memory: try a smaller size", print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def _need_image(image: str | None) -> str:
    if not image:
        raise gr.Error("Upload, paste or pick a photo first.", print_exception=False)
    return image


def _size(width: float | None, height: float | None, limit: int) -> tuple[int, int]:
    if width is None or height is None:
        raise gr.Error("Width and height must be numbers.", print_exception=False)
    if width != int(width) or height != int(height):
        raise gr.Error(f"Width and height must be whole pixels, got {width} x {height}.", print_exception=False)
    return check_size(int(width), int(height), max_pixels=limit)


def _rgb(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


def _scales(width: int, height: int, picture: liif.Picture) -> str:
    return f"×{width / picture.width:.2f} across, ×{height / picture.height:.2f} down"


@dataclass(frozen=True)
class _Job:
    """A checked request: the encoded photo, the output size, and how to render it."""

    encoded: Encoded
    width: int
    height: int
    model: str
    precision: str  # the library's precision name
    note: str | None  # why "fast" was not honoured, if it was not


class Handlers:
    """The app's events, bound to one :class:`Workbench` (models and caches)."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    def _job(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str = EXACT,
        progress: Callable[[int, int], None] | None = None,
    ) -> _Job:
        """Check what every event needs (a photo, a size within limits), then encode or reuse its grid."""
        image = _need_image(image)
        width, height = _size(width, height, self.bench.config.max_output_pixels)
        model = model or self.bench.config.default_model
        mode, note = self.bench.precision(precision == FAST)
        return _Job(self.bench.encode(image, model, progress), width, height, model, mode, note)

    # --- sizes -------------------------------------------------------------------------------------------

    @user_errors
    def photo_changed(self, image: str | None, scale: float) -> tuple[Any, Any, str]:
        if not image:
            return gr.skip(), gr.skip(), "No photo yet."
        _, picture = self.bench.picture(image)
        width, height = max(1, round(picture.width * scale)), max(1, round(picture.height * scale))
        notes = "".join(f"\n\n*{note}*" for note in picture.notes)
        return width, height, f"Input {picture.width}×{picture.height}; output {_scales(width, height, picture)}{notes}"

    @user_errors
    def scale_changed(self, image: str | None, scale: float) -> tuple[Any, Any]:
        if not image:
            return gr.skip(), gr.skip()
        _, picture = self.bench.picture(image)
        return max(1, round(picture.width * scale)), max(1, round(picture.height * scale))

    @user_errors
    def width_changed(self, image: str | None, width: float | None, keep_aspect: bool) -> Any:
        if not image or not keep_aspect or not width or width < 1:
            return gr.skip()
        _, picture = self.bench.picture(image)
        return max(1, round(width * picture.height / picture.width))

    @user_errors
    def height_changed(self, image: str | None, height: float | None, keep_aspect: bool) -> Any:
        if not image or not keep_aspect or not height or height < 1:
            return gr.skip()
        _, picture = self.bench.picture(image)
        return max(1, round(height * picture.width / picture.height))

    @user_errors
    def size_info(self, image: str | None, width: float | None, height: float | None) -> str:
        if not image or not width or not height:
            return "No photo yet." if not image else "Set a width and a height."
        _, picture = self.bench.picture(image)
        return f"Input {picture.width}×{picture.height}; output {_scales(int(width), int(height), picture)}"

    # --- upscale -----------------------------------------------------------------------------------------

    @user_errors
    def upscale(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = EXACT,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio injects the tracker)
    ) -> tuple[Image.Image, str]:
        """Render the photo at exactly ``width`` x ``height``; returns the image (PNG) and a status line."""
        job = self._job(image, width, height, model, precision, lambda d, t: progress((d, t), desc="Encoding"))
        encoded, width, height = job.encoded, job.width, job.height
        start = time.perf_counter()
        rows = liif.iter_rows(
            encoded.model, encoded.grid, width, height, precision=job.precision,
            progress=lambda d, t: progress(d / t, desc="Rendering"),
        )  # fmt: skip
        out = assemble_uint8(rows, width, height)
        seconds = time.perf_counter() - start
        picture = encoded.picture
        encode_text = "cached latent grid" if encoded.cached else f"encode {encoded.seconds:.1f} s"
        status = (
            f"**{width}×{height}** from {picture.width}×{picture.height} ({_scales(width, height, picture)}) · "
            f"{encode_text} · render {seconds:.1f} s · {job.model}, {job.precision} on {self.bench.device_name}"
        )
        notes = [*self.bench.notes.get(job.model, ()), *picture.notes, *([job.note] if job.note else [])]
        status += "".join(f"\n\n*{n}*" for n in notes)
        return finish_image(out, picture), status

    # --- compare -----------------------------------------------------------------------------------------

    @user_errors
    def compare(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = EXACT,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        crop: float = 64,
        zoom: float = 2,
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Bicubic vs LIIF (and nearest) on a crop of the W x H output around a centre, at a zoom."""
        crop_px, note = self._crop(crop, zoom)
        job = self._job(image, width, height, model, precision)
        encoded, width, height = job.encoded, job.width, job.height
        start = time.perf_counter()
        box, virtual_w, virtual_h = crop_box((centre_x, centre_y), crop_px, zoom, width, height)
        liif_crop = liif.render(encoded.model, encoded.grid, virtual_w, virtual_h, box=box, precision=job.precision)
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
    def profile(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = EXACT,
        x0: float = 0.0,
        y0: float = 0.0,
        x1: float = 0.0,
        y1: float = 0.0,
    ) -> tuple[Any, str, str]:
        """R, G, B along the line (x0, y0) -> (x1, y1) of the W x H output: a plot, a CSV file, a status."""
        values = [x0, y0, x1, y1]
        if any(v is None for v in values):
            raise gr.Error("Line coordinates must be numbers.", print_exception=False)
        job = self._job(image, width, height, model, precision)
        encoded, width, height = job.encoded, job.width, job.height
        if not all(0 <= v <= limit for v, limit in zip(values, [width, height, width, height], strict=True)):
            raise gr.Error(f"The line must lie inside the {width}×{height} output.", print_exception=False)
        start = time.perf_counter()
        prof = line_profile(
            encoded.model, encoded.grid, encoded.picture.rgb, width, height, (x0, y0), (x1, y1), precision=job.precision
        )
        seconds = time.perf_counter() - start
        csv_path = self._write_csv(prof.rows())
        status = (
            f"{len(prof.distance)} LIIF samples over {float(prof.distance[-1]):.1f} output px "
            f"({len(prof.input_distance)} input pixels crossed) · {seconds:.2f} s"
        )
        return profile_figure(prof), str(csv_path), status

    # --- how it works ------------------------------------------------------------------------------------

    @user_errors
    def latent_grid(self, image: str | None, model: str | None = None) -> tuple[Image.Image, Image.Image, str]:
        """The input beside its latent grid drawn as a picture (PCA of the codes), both at input resolution."""
        model = model or self.bench.config.default_model
        encoded = self.bench.encode(_need_image(image), model)
        picture = encoded.picture.rgb_image()
        grid = encoded.grid
        status = f"{grid.width}×{grid.height} codes of {grid.channels} numbers: one per input pixel"
        return picture, Image.fromarray(latent_pca(grid)), status

    @user_errors
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
            raise gr.Error(f"The point must lie inside the {width}×{height} output.", print_exception=False)
        query = explain_pixel(encoded.model, encoded.grid, px, py, width, height)
        drawing = draw_point_query(latent_pca(encoded.grid), query)
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
    def explain_cell(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        crop: float = 64,
        zoom: float = 2,
        pretend: float = 4,
    ) -> tuple[tuple[Image.Image, Image.Image], str]:
        """The compare crop rendered with its true cell and with a cell ``pretend`` times smaller."""
        crop_px, _ = self._crop(crop, zoom)
        job = self._job(image, width, height, model)
        encoded, width, height = job.encoded, job.width, job.height
        box, virtual_w, virtual_h = crop_box((centre_x or 0, centre_y or 0), crop_px, zoom, width, height)
        true, smaller = cell_comparison(encoded.model, encoded.grid, virtual_w, virtual_h, box, pretend or 1)
        status = (
            f"Same {box[2] - box[0]}×{box[3] - box[1]} crop: true cell (left) vs a cell {pretend:g}× smaller, "
            f"as if the output were {pretend:g}× larger (right); mean change {float((true - smaller).abs().mean()):.4f}"
        )
        return (Image.fromarray(to_uint8(true)), Image.fromarray(to_uint8(smaller))), status

    def _crop(self, crop: float | None, zoom: float | None) -> tuple[int, str]:
        """The crop side to render, shrunk so crop x zoom stays within the render limit, and a note if so."""
        if not crop or crop < 1 or not zoom or not 0 < zoom <= MAX_ZOOM:
            raise gr.Error(f"Crop size must be at least 1 pixel and zoom in (0, {MAX_ZOOM}].", print_exception=False)
        limit = self.bench.config.max_crop_render
        crop_px = min(int(crop), max(1, int(limit / zoom)))
        note = f" (crop reduced to {crop_px} px: crops render at most {limit} px wide)" if crop_px < crop else ""
        return crop_px, note

    @staticmethod
    def _write_csv(rows: list[list[float]]) -> Path:
        OUTPUT_DIR.mkdir(exist_ok=True)
        lines = [",".join(CSV_HEADER)] + [",".join(f"{v:.6g}" for v in row) for row in rows]
        text = "\n".join(lines) + "\n"
        path = OUTPUT_DIR / f"profile-{sha256_bytes(text.encode())[:16]}.csv"
        if not path.exists():
            with atomic_output(path) as partial:
                partial.write_text(text)
        return path
