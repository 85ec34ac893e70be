"""What the app keeps between requests: loaded models and latent grids, cached per (image, model)."""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import liif
from demo.config import AppConfig
from liif.digests import sha256_bytes
from liif.errors import WeightsError
from liif.explain import latent_pca
from liif.grid import Views
from liif.hardware import Precision, choose_precision, pick_device
from liif.render import measure_rate
from liif.sources import MODEL_NAMES, resolve


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


class Workbench:
    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.device = pick_device(config.device)
        self._models: dict[str, liif.LIIF] = {}
        self.notes: dict[str, tuple[str, ...]] = {}
        self._grids: OrderedDict[tuple[str, str], Views] = OrderedDict()
        self._pictures: OrderedDict[str, liif.Picture] = OrderedDict()
        self._lock = threading.Lock()
        self._encoding: dict[tuple[str, str], threading.Lock] = {}  # held while a (photo, model) is encoded
        self._speed: dict[str, float] = {}  # output pixels per second, per compute precision
        self._pca: weakref.WeakKeyDictionary[liif.LatentGrid, np.ndarray] = weakref.WeakKeyDictionary()

    def model(self, name: str) -> liif.LIIF:
        with self._lock:
            if name not in self._models:
                found = resolve(name)
                self._models[name] = found.load(self.device)
                self.notes[name] = found.notes
            return self._models[name]

    def available_models(self) -> list[str]:
        """The default model, then every other known model whose weights can be found here."""
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
        return names

    def picture(self, path: str | Path) -> tuple[str, liif.Picture]:
        data = Path(path).read_bytes()
        key = sha256_bytes(data)
        with self._lock:
            if key in self._pictures:
                self._pictures.move_to_end(key)
                return key, self._pictures[key]
        picture = liif.load_picture(data, max_pixels=self.config.max_input_pixels)
        with self._lock:
            self._pictures[key] = picture
            while len(self._pictures) > self.config.cache_grids:
                self._pictures.popitem(last=False)
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
        with self._lock:
            return self._pictures[key]

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
            with self._lock:
                cached = self._grids.get((key, model_name))
                if cached is not None and len(cached) >= views:
                    self._grids.move_to_end((key, model_name))
                    return Encoded(picture, cached[:views], model, 0.0, True)
            start = time.perf_counter()
            grids = liif.encode_views(model, picture.rgb, views, progress=progress)
            seconds = time.perf_counter() - start
            with self._lock:
                self._grids[(key, model_name)] = grids
                while len(self._grids) > self.config.cache_grids or (
                    len(self._grids) > 1 and self._grid_bytes() > self.config.grid_cache_bytes
                ):  # the newest grid is always kept, however large
                    self._encoding.pop(self._grids.popitem(last=False)[0], None)
        return Encoded(picture, grids, model, seconds, False)

    def _grid_bytes(self) -> int:
        return sum(grid.features.nbytes for views in self._grids.values() for grid in views)

    def latent_picture(self, grid: liif.LatentGrid) -> np.ndarray:
        """The grid's PCA picture, computed once per grid and kept as long as the grid is cached."""
        with self._lock:
            picture = self._pca.get(grid)
        if picture is None:
            picture = latent_pca(grid)
            with self._lock:
                self._pca[grid] = picture
        return picture

    def precision(self, choice: str) -> Precision:
        """What the page's precision choice ("auto …" or "exact …") runs here, and why."""
        return choose_precision(choice.split()[0], self.device)

    def calibrate(self) -> None:
        """Measure this machine's render speed once, so the first estimate is not a guess."""
        compute = choose_precision("auto", self.device).compute
        self._speed[compute] = measure_rate(self.model(self.config.default_model), compute)

    def record_speed(self, compute: str, pixels: int, seconds: float) -> None:
        """Refine the speed from a finished render (big enough to be timed fairly); a LIIF+ render of 8 views
        counts as 8 times its pixels, so the speed is always that of a plain render."""
        if seconds > 0.2:
            self._speed[compute] = pixels / seconds

    def speed(self, choice: str = "auto") -> float | None:
        """Output pixels per second of a render here (grid cached), for ``choice``; None until measured."""
        return self._speed.get(self.precision(choice).compute)

    @property
    def device_name(self) -> str:
        return torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "CPU"
