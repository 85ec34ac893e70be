"""Upscale a photo: the one place the chain is assembled, for the CLI, the app and the evaluation.

photo -> :func:`check` (one input check, one-line errors; the model chosen from the photo) -> encode (the
photo's latent grids; the app passes its cached ones) -> :class:`Upscale` (LIIF's rows, or LIIF+: the views
averaged no further than x4, enlarged, back-projected) -> placed (stretch, fill or fit's margins) -> the output's
row bands -> written (:func:`liif.io.output.write_rows`) or assembled (:meth:`Upscale.image`).

>>> import liif
>>> job = liif.pipeline.run.check(liif.load_picture("photo.jpg"), 1920, 1080, fit="fill")
>>> liif.pipeline.run.Upscale(job).image().save("photo_1920x1080.png")
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np
import torch
from PIL import Image

from liif.core.coords import TRANSFORMS
from liif.core.enlarge import describe, plan_size
from liif.core.grid import DEFAULT_TILE, Progress, Views, encode_views
from liif.core.hardware import choose_precision
from liif.core.model import LIIF
from liif.core.render import BAND, iter_rows
from liif.errors import LiifError
from liif.io.images import Picture
from liif.io.output import assemble_uint8, finish_image
from liif.io.sizes import check_size, max_output_pixels, scaled_size
from liif.pipeline.condition import Condition, PhotoChoice, examine, model_for, reason
from liif.pipeline.layout import FITS, Layout, check_whole, layout, output_alpha, pad_colour, placed, placed_whole
from liif.pipeline.refine import best_size, consistency, finish_best, gather, photo_floats
from liif.weights.sources import load_model, resolve

Band = tuple[int, torch.Tensor]  # (first output row, (rows, W, 3) floats in [0, 1])


# Whether LIIF+ back-projects onto a compressed or noisy photo: measured on the degraded photos (real-photos.md),
# back-projection pulls the result toward the photo's blocks and noise.
BACK_PROJECT_REAL = False


class Quality(Enum):
    """Standard LIIF, or LIIF+: the 8 flips and transposes averaged, then back-projected onto the photo."""

    STANDARD = "standard"
    PLUS = "liif+"


@dataclass(frozen=True)
class Job:
    """A checked upscale: everything decided before any work, and what to tell the person."""

    picture: Picture  # the photo, its alpha already laid out as the output's
    width: int
    height: int
    placement: Layout  # where the render of the whole photo lies in the output
    pad: tuple[float, float, float] | None  # fit's margins (None: transparent)
    quality: Quality
    precision: str
    model: str  # the model's name or path
    why: str  # which model and why, in words
    notes: tuple[str, ...]  # the photo's notes, what the layout does, what auto enlarged
    back_project: bool = True  # LIIF+'s last step: not on a compressed or noisy photo (its artefacts come back)

    @property
    def views(self) -> int:
        return len(TRANSFORMS) if self.quality is Quality.PLUS else 1

    @property
    def liif_size(self) -> tuple[int, int]:
        """The size LIIF itself renders: LIIF+ no further than x4, auto no further than x8 (liif.core.enlarge)."""
        render_w, render_h = self.placement.render
        if self.quality is Quality.PLUS:
            return best_size(render_w, render_h, self.picture.width, self.picture.height)
        return plan_size(render_w, render_h, self.picture.width, self.picture.height, self.precision)


def check(
    picture: Picture,
    width: int | None = None,
    height: int | None = None,
    *,
    scale: float | None = None,
    fit: str = FITS[0],
    pad: str = "black",
    quality: Quality = Quality.STANDARD,
    precision: str = "auto",
    photo: PhotoChoice = PhotoChoice.AUTO,
    model: str | None = None,
    max_pixels: int | None = None,
    limit_name: str = "LIIF_MAX_OUTPUT_PIXELS",
    condition: Condition | None = None,
) -> Job:
    """The one input check: a size (``width`` x ``height`` or ``scale``) within the limit, a known fit, a pad
    colour, a known precision, LIIF+ within its memory; the model, named or chosen from the photo (``condition``:
    what the photo went through, where the caller knows it). Raises :class:`liif.LiifError` with one line."""
    max_pixels = max_pixels or max_output_pixels()
    if (width is None or height is None) == (scale is None):
        raise LiifError("give an output size (width and height) or a scale, not both")
    if scale is not None:
        width, height = scaled_size(picture.width, picture.height, scale)
    assert width is not None and height is not None
    width, height = check_size(width, height, max_pixels=max_pixels, limit_name=limit_name)
    placement = layout(picture.width, picture.height, width, height, fit)
    colour = pad_colour(pad)
    choose_precision(precision, torch.device("cpu"))  # an unknown precision is refused before any work
    if quality is Quality.PLUS:
        check_whole(placement, max_pixels, "LIIF+", limit_name)
    if condition is None and (model is None or quality is Quality.PLUS):
        condition = examine(picture.rgb, picture.jpeg_tables)
    if model is None:
        assert condition is not None
        model = model_for(condition, photo)
        why = reason(condition, model, photo)
    else:
        why = f"{model}, as asked"
    notes = [*picture.notes]
    back_project = not (quality is Quality.PLUS and condition is not None and condition.real and not BACK_PROJECT_REAL)
    if not back_project:
        notes.append("LIIF+ on a compressed or noisy photo: its views averaged, not back-projected onto its artefacts")
    if said := placement.describe(picture.width, picture.height):
        notes.append(said)
    picture = replace(picture, alpha=output_alpha(picture.alpha, placement, colour is None))
    job = Job(picture, width, height, placement, colour, quality, precision, model, why, (), back_project)
    if quality is Quality.STANDARD and (said := describe(*placement.render, picture.width, picture.height,
                                                          job.liif_size)):  # fmt: skip
        notes.append(said)
    return replace(job, notes=tuple(notes))


def encode(job: Job, model: LIIF, *, tile: int = DEFAULT_TILE, progress: Progress | None = None) -> Views:
    """The photo's latent grids the job needs: one, or LIIF+'s eight."""
    return encode_views(model, job.picture.rgb, job.views, tile=tile, precision=job.precision, progress=progress)


class Upscale:
    """A job run on a model: :meth:`bands` yields the output's rows as they come, :meth:`image` the finished
    picture. ``views`` are the photo's grids when the caller has them (the app caches them); else encoded here.
    ``measure``: also say how far the result, shrunk back, is from the photo (:attr:`consistency`), which needs
    the whole render held (LIIF+ holds it anyway)."""

    def __init__(
        self,
        job: Job,
        model: LIIF | None = None,
        views: Views | None = None,
        *,
        progress: Progress | None = None,
        band: int = BAND,
        measure: bool = False,
        tile: int = DEFAULT_TILE,
    ) -> None:
        self.job = job
        self.model = model or load_model(job.model)
        self.views = views or encode(job, self.model, tile=tile)
        self.progress, self.band, self.measure = progress, band, measure
        self.consistency: float | None = None  # set once the bands are out, where measured

    def _rows(self, width: int, height: int, box: tuple[int, int, int, int] | None = None) -> Iterator[Band]:
        return iter_rows(self.model, self.views, width, height, box=box, precision=self.job.precision,
                         progress=self.progress, band=self.band)  # fmt: skip

    def liif_bands(self) -> Iterator[Band]:
        """LIIF's own rows as they come: the output's window (standard), or LIIF+'s render at its capped size
        (:attr:`Job.liif_size`), before it is enlarged and back-projected."""
        job = self.job
        if job.quality is Quality.PLUS:
            yield from self._rows(*job.liif_size)
        else:
            yield from self._rows(*job.placement.render, job.placement.box)

    def finish(self, whole: np.ndarray | None) -> Iterator[Band]:
        """The output's bands from LIIF+'s gathered render (``whole``), or placed as the standard rows come."""
        job, placement = self.job, self.job.placement
        if whole is None:
            yield from placed(self._rows(*placement.render, placement.box), placement, job.pad)
            return
        photo = photo_floats(job.picture.rgb)
        if job.quality is Quality.PLUS:
            whole = finish_best(whole, *placement.render, photo, onto_photo=job.back_project)
        self.consistency = consistency(whole, photo)
        yield from placed_whole(whole, placement, job.pad)

    def bands(self) -> Iterator[Band]:
        """The output's row bands, top to bottom, fit's margins included."""
        if self.job.quality is Quality.PLUS or self.measure:
            render = self.job.liif_size if self.job.quality is Quality.PLUS else self.job.placement.render
            yield from self.finish(gather(self._rows(*render), *render))
        else:
            yield from self.finish(None)

    def image(self) -> Image.Image:
        """The finished 8-bit picture (the photo's alpha and grayscale kept)."""
        return finish_image(assemble_uint8(self.bands(), self.job.width, self.job.height), self.job.picture)


AUTO_MODEL = "auto"  # a model name that means: chosen from the photo (liif.pipeline.condition)


class Models:
    """Models by name, each loaded once, on first use: a batch or an evaluation may use several. What finding
    a model's weights had to say (a Hub that did not answer) goes to ``notes`` (default: a warning)."""

    def __init__(self, device: torch.device | str = "cpu", notes: Callable[[str], None] | None = None) -> None:
        self.device = device
        self.notes = notes or (lambda note: warnings.warn(note, stacklevel=3))
        self.loaded: dict[str, LIIF] = {}

    def __call__(self, name: str) -> LIIF:
        if name not in self.loaded:
            found = resolve(name)
            for note in found.notes:
                self.notes(note)
            self.loaded[name] = found.load(self.device)
        return self.loaded[name]


def upscale(
    source: str | Picture,
    width: int | None = None,
    height: int | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> Image.Image:
    """A photo (a path or a :class:`liif.Picture`) upscaled to ``width`` x ``height`` (or ``scale=``), with the
    options of :func:`check`: the shortest way through the pipeline."""
    from liif.io.images import load_picture

    picture = source if isinstance(source, Picture) else load_picture(source)
    job = check(picture, width, height, **options)
    return Upscale(job, progress=progress).image()
