"""What the app keeps between requests: loaded models and latent grids, cached per (image, model)."""

from __future__ import annotations

import io
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import liif
from demo.components import echo
from demo.config import AppConfig
from demo.lru import BoundedLRU
from liif import pipeline
from liif.core.grid import Views
from liif.core.hardware import Precision, choose_precision, pick_device
from liif.errors import LiifError, WeightsError
from liif.io.output import assemble_uint8
from liif.pipeline.condition import Condition, PhotoChoice, examine, model_for, reason
from liif.pipeline.run import AUTO_MODEL
from liif.views.explain import latent_pca
from liif.weights.digests import sha256_bytes
from liif.weights.sources import DEFAULT_MODEL, HOW_TO_PROVIDE, MODEL_NAMES, REAL_PHOTOS_MODEL, resolve

DIGESTS_KEPT = 64  # uploads whose digest is remembered (a few bytes each)
SHOWN_NAME = 24  # a model offered under a longer name (a deployment's path) is shortened in messages
CALIBRATION_PHOTO = Path(__file__).resolve().parents[1] / "examples" / "forest_stream.jpg"
CALIBRATION = (160, 120)  # the photo's part rendered at x2 at start-up: about a second of this machine's work
PRECISION_CHOICES = ("auto", "exact")  # what the page offers; fp32 and bf16 are the CLI's


@dataclass(frozen=True)
class Encoded:
    """A photo, its latent grids under one model (one per self-ensemble view), and the encoding time (0: cached)."""

    picture: liif.Picture
    views: Views
    model: liif.LIIF
    seconds: float
    cached: bool

    @property
    def grid(self) -> liif.LatentGrid:
        """The photo's own grid (the first view), for what looks at one grid: pictures, explanations."""
        return self.views[0]


@dataclass(frozen=True)
class Speed:
    """How fast a render goes here, in two parts: while its rows come (LIIF itself, enlarging past x8, the
    previews painted), in LIIF's work per second (the pixels it renders and the latent codes it reads), and its
    finish (the 8-bit PNG written, LIIF+'s back-projection), in output pixels per second. An x30 output is mostly
    finish: one rate alone mis-estimates it by 2x."""

    rows: float
    finish: float

    def seconds(self, work: float, output_pixels: float) -> float:
        return work / self.rows + output_pixels / self.finish


class Rate:
    """Pixels per second over recent renders, each weighted by its seconds and halved at each new one: a long
    render under today's load counts, a tiny one (mostly fixed costs) hardly moves it."""

    def __init__(self) -> None:
        self._pixels = 0.0
        self._seconds = 0.0

    def add(self, pixels: float, seconds: float) -> None:
        if pixels > 0 and seconds > 0:
            self._pixels = self._pixels / 2 + pixels
            self._seconds = self._seconds / 2 + seconds

    @property
    def value(self) -> float | None:
        return self._pixels / self._seconds if self._seconds else None


def _grid_bytes(views: Views) -> int:
    return sum(grid.features.nbytes for grid in views)


class Workbench:
    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.device = pick_device(config.device)
        self._models: dict[str, liif.LIIF] = {}
        self.notes: dict[str, tuple[str, ...]] = {}
        self._encoding: dict[tuple[str, str], threading.Lock] = {}  # held while a (photo, model) is encoded
        self._grids: BoundedLRU[tuple[str, str], Views] = BoundedLRU(
            config.cache_grids, config.grid_cache_bytes, _grid_bytes, keep_newest=True, evicted=self._forget
        )  # the newest grid is always kept, however large
        self._pictures: BoundedLRU[str, liif.Picture] = BoundedLRU(config.cache_grids)
        self._digests: BoundedLRU[tuple[str, int, int], str] = BoundedLRU(DIGESTS_KEPT)  # upload -> its sha256
        self._conditions: BoundedLRU[str, Condition] = BoundedLRU(DIGESTS_KEPT)  # photo -> what it went through
        self._lock = threading.Lock()
        self._rows: dict[str, Rate] = {}  # a render's rows, in LIIF's work per second, per compute precision
        self._finish = Rate()  # a render's finish, in output pixels per second
        self._pca: weakref.WeakKeyDictionary[liif.LatentGrid, np.ndarray] = weakref.WeakKeyDictionary()
        self._offered: list[str] | None = None

    def check_model(self, name: object) -> str:
        """``name`` if the page offers that model; nothing else is ever resolved, so a request cannot name a
        path or a Hub repo, make the server fetch anything, or keep a model per spelling."""
        offered = self.available_models()
        if not isinstance(name, str) or name not in offered:
            how = f": {HOW_TO_PROVIDE}" if name in MODEL_NAMES else ""  # a known model without weights here
            names = ", ".join(
                [AUTO_MODEL, *(o if len(o) <= SHOWN_NAME else f"…{o[1 - SHOWN_NAME :]}" for o in offered)]
            )
            raise WeightsError(f"Model {echo(name)} is not offered here; choose one of {names}{how}")
        return name

    def condition(self, key: str, picture: liif.Picture) -> Condition:
        """What the photo has been through (a JPEG's quality, noise, blockiness), examined once per photo."""
        found = self._conditions.get(key)
        if found is None:
            found = examine(picture.rgb, picture.jpeg_tables)
            self._conditions.put(key, found)
        return found

    def choose_model(self, choice: object, key: str, picture: liif.Picture) -> tuple[str, str]:
        """The model a request's choice means for this photo, and why in words. ``auto`` (or nothing): LIIF for
        real photos on a compressed or noisy photo, the paper's on a clean one, where both are offered and the
        app runs its default; a deployment started on another model (``--model``) keeps it for every photo."""
        condition = self.condition(key, picture)
        if choice is None or choice == AUTO_MODEL:
            offered, default = self.available_models(), self.config.default_model
            name = model_for(condition) if default == DEFAULT_MODEL and REAL_PHOTOS_MODEL in offered else default
            return name, reason(condition, name)
        name = self.check_model(choice)
        return name, reason(condition, name, PhotoChoice.REAL if name == REAL_PHOTOS_MODEL else PhotoChoice.CLEAN)

    def model(self, name: object) -> liif.LIIF:
        """A model the page offers, loaded once."""
        name = self.check_model(name)
        with self._lock:
            if name not in self._models:
                found = resolve(name)
                self._models[name] = found.load(self.device)
                self.notes[name] = found.notes
            return self._models[name]

    def available_models(self) -> list[str]:
        """The default model, then every other known model whose weights can be found here; found once."""
        if self._offered is None:
            default = self.config.default_model
            names = [default]
            for name in MODEL_NAMES:
                if name == default:
                    continue
                try:
                    resolve(name)
                except WeightsError:
                    continue
                names.append(name)
            self._offered = names
        return self._offered

    def picture(self, path: str | Path) -> tuple[str, liif.Picture]:
        """A photo's digest and its decoding: each upload is read, hashed and decoded once, not per event (an
        upload's file never changes; its size and time are checked all the same)."""
        stat = os.stat(path)
        upload = (str(path), stat.st_mtime_ns, stat.st_size)
        key = self._digests.get(upload)
        picture = self._pictures.get(key) if key else None
        if key is None or picture is None:
            data = Path(path).read_bytes()
            key = sha256_bytes(data)
            picture = self._pictures.get(key) or liif.load_picture(
                data, max_pixels=self.config.max_input_pixels, name="The photo"
            )
            self._pictures.put(key, picture)
            self._digests.put(upload, key)
        return key, picture

    def encode(
        self,
        path: str | Path,
        model_name: str,
        progress: Callable[[int, int], None] | None = None,
        views: int = 1,
    ) -> Encoded:
        """The photo's first ``views`` grids under a model; cached, and a cached LIIF+ serves plain requests too."""
        key, picture = self.picture(path)
        return self.encode_picture(key, picture, model_name, progress, views)

    def cached_picture(self, key: str) -> liif.Picture:
        """A photo this workbench decoded before, by its digest; KeyError once it has left the cache."""
        picture = self._pictures.get(key)
        if picture is None:
            raise KeyError(key)
        return picture

    def encode_picture(
        self,
        key: str,
        picture: liif.Picture,
        model_name: str,
        progress: Callable[[int, int], None] | None = None,
        views: int = 1,
    ) -> Encoded:
        """:meth:`encode` for a photo already decoded, known by its digest ``key``."""
        model = self.model(model_name)
        with self._lock:
            encoding = self._encoding.setdefault((key, model_name), threading.Lock())
        with encoding:  # one encode per photo and model at a time: requests that arrive meanwhile reuse it
            cached = self._grids.get((key, model_name))
            if cached is not None and len(cached) >= views:
                return Encoded(picture, cached[:views], model, 0.0, True)
            start = time.perf_counter()
            grids = liif.encode_views(model, picture.rgb, views, progress=progress)
            seconds = time.perf_counter() - start
            self._grids.put((key, model_name), grids)
        return Encoded(picture, grids, model, seconds, False)

    def _forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._encoding.pop(key, None)

    def latent_picture(self, grid: liif.LatentGrid) -> np.ndarray:
        """The grid's PCA picture, computed once per grid and kept as long as the grid is cached."""
        with self._lock:
            picture = self._pca.get(grid)
        if picture is None:
            picture = latent_pca(grid)
            with self._lock:
                self._pca[grid] = picture
        return picture

    def precision_choice(self, choice: object = None) -> str:
        """The page's precision choice, checked: "auto" (also for None, the default) or "exact"."""
        if choice is None:
            return PRECISION_CHOICES[0]
        if choice not in PRECISION_CHOICES:
            raise LiifError(f"Precision must be one of {', '.join(PRECISION_CHOICES)}, got {echo(choice)}")
        assert isinstance(choice, str)
        return choice

    def precision(self, choice: object = None) -> Precision:
        """What the page's precision choice ("auto", the default, or "exact") runs here, and why."""
        return choose_precision(self.precision_choice(choice), self.device)

    def calibrate(self) -> None:
        """Measure this machine's render speed once, on the kind of work a first render is (a photo at x2, its
        rows, then its PNG), so the first estimate is this machine's and not a guess. A tiny render of noise
        measured fixed costs and noise's PNG: first estimates 30x off either way."""
        model, compute = self.model(self.config.default_model), self.precision("auto").compute
        picture = liif.load_picture(CALIBRATION_PHOTO)
        small = liif.Picture(picture.rgb[:, : CALIBRATION[1], : CALIBRATION[0]].contiguous())
        width, height = 2 * small.width, 2 * small.height
        job = pipeline.check(small, width, height, model=self.config.default_model)
        views = pipeline.encode(job, model)
        pipeline.Upscale(job, model, views).image()  # warm-up: the first call packs weights, sizes buffers
        start = time.perf_counter()
        pixels = assemble_uint8(pipeline.Upscale(job, model, views).bands(), width, height)
        rows = time.perf_counter() - start
        start = time.perf_counter()
        Image.fromarray(pixels).save(io.BytesIO(), format="PNG")
        finish = time.perf_counter() - start
        self.record_speed(compute, width * height + small.width * small.height, rows, width * height, finish)

    def record_speed(
        self, compute: str, work: float, rows_seconds: float, output_pixels: float = 0, finish_seconds: float = 0
    ) -> None:
        """Refine the speed from a finished render: its rows (LIIF's work; a LIIF+ render of 8 views counts as 8
        times its work, so the rate is always that of a plain render) and its finish."""
        with self._lock:
            self._rows.setdefault(compute, Rate()).add(work, rows_seconds)
            self._finish.add(output_pixels, finish_seconds)

    def speed(self, choice: str | None = None) -> Speed | None:
        """How fast a render of ``choice`` goes here (grid cached); None until measured."""
        rows = self._rows.get(self.precision(choice).compute)
        rows_rate, finish_rate = rows.value if rows else None, self._finish.value
        return Speed(rows_rate, finish_rate) if rows_rate and finish_rate else None

    @property
    def device_name(self) -> str:
        return torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "CPU"
