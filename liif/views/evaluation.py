"""The paper's evaluation protocol (LIIF.md, Table 1): HR crop, bicubic LR, PSNR with a border shave.

``div2k`` protocol: PSNR on RGB, ``scale + 6`` pixels shaved at each border. ``benchmark`` protocol
(Set5-style): PSNR on the Y channel, ``scale`` pixels shaved. LIIF's output is compared as floats clamped
to [0, 1], not rounded; the bicubic baseline is PIL's 8-bit resize, as the paper's baseline.

Beyond the paper: the low-resolution photo can be degraded after the shrink as real photos are (JPEG, noise,
blur: :mod:`liif.io.degrade`), several models are scored side by side, and where a JPEG step is in the chain the
blockiness of every result is measured (:func:`liif.core.metrics.blockiness` on the 8 x scale grid).
"""

from __future__ import annotations

import importlib.util
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from liif import pipeline
from liif.core.grid import Views
from liif.core.metrics import blockiness, psnr, ssim
from liif.core.model import LIIF
from liif.errors import LiifError
from liif.io.degrade import CLEAN, Chain, Jpeg
from liif.io.images import load_picture
from liif.io.output import atomic_output, check_writable
from liif.pipeline.refine import gather
from liif.pipeline.run import AUTO_MODEL, Models, Quality

PROTOCOLS = ("div2k", "benchmark")


def make_pair(hr: Image.Image, scale: int) -> tuple[Image.Image, Image.Image]:
    """(LR, HR): HR cropped to a multiple of ``scale``, LR its PIL bicubic downscale by ``scale``."""
    width, height = (hr.width // scale) * scale, (hr.height // scale) * scale
    if width == 0 or height == 0:
        raise ValueError(f"a {hr.width}x{hr.height} image is smaller than the scale x{scale}")
    hr = hr.crop((0, 0, width, height))
    return hr.resize((width // scale, height // scale), Image.Resampling.BICUBIC), hr


def shave_for(scale: int, protocol: str) -> int:
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    return scale + 6 if protocol == "div2k" else scale


BICUBIC = "bicubic"


@dataclass(frozen=True)
class Score:
    """One photo at one scale and degradation: PSNR (and SSIM, blockiness) of bicubic and of each method."""

    image: str
    scale: int
    size: tuple[int, int]  # HR (width, height) after cropping
    degradation: str  # "clean", or the steps done after the shrink (liif.io.degrade)
    psnr: dict[str, float]  # by method: "bicubic" first, then each model's label (LIIF+: the label and "+")
    ssim: dict[str, float] = field(default_factory=dict)  # when asked for
    blockiness: dict[str, float] = field(default_factory=dict)  # when the degradation compresses (JPEG)

    @property
    def methods(self) -> list[str]:
        return [m for m in self.psnr if m != BICUBIC]

    def gain(self, method: str) -> float:
        return self.psnr[method] - self.psnr[BICUBIC]


def _floats(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float64) / 255.0


def degraded_pair(hr: Image.Image, scale: int, degradation: Chain, name: str) -> tuple[Image.Image, Image.Image]:
    """:func:`make_pair`, then the degradation on the low-resolution photo (its noise seeded by the photo, scale
    and degradation, so every run and every method sees the same photo)."""
    lr, hr = make_pair(hr, scale)
    if not degradation.steps:
        return lr, hr
    rng = np.random.default_rng(zlib.crc32(f"{name} x{scale} {degradation}".encode()))
    return degradation(lr, rng), hr


def score_image(
    methods: Mapping[str, str],
    name: str,
    hr: Image.Image,
    scale: int,
    *,
    models: Callable[[str], LIIF] | None = None,
    degradation: Chain = CLEAN,
    protocol: str = "div2k",
    precision: str = "auto",
    with_ssim: bool = False,
    liif_plus: bool = False,
) -> Score:
    """Bicubic and each method (label -> a model's name, or ``auto``: the model chosen from the degraded photo,
    as the CLI chooses it), and each one's LIIF+ when asked, against the HR photo at one scale and degradation.
    Every method is the one upscale pipeline (:mod:`liif.pipeline.run`), its floats unrounded."""
    models = models or Models()
    shave = shave_for(scale, protocol)
    lr, hr = degraded_pair(hr, scale, degradation, name)
    if min(hr.size) <= 2 * shave:
        raise ValueError(f"{hr.width}x{hr.height} leaves nothing after a {shave}-pixel shave at x{scale}")
    target = _floats(hr)
    outputs = {BICUBIC: _floats(lr.resize(hr.size, Image.Resampling.BICUBIC))}
    y_only = protocol == "benchmark"
    if math.isinf(psnr(outputs[BICUBIC], target, shave=shave, y_only=y_only)):
        raise ValueError("flat: even bicubic reproduces it exactly, so PSNR is infinite and says nothing")
    picture = load_picture(lr)
    qualities = (Quality.STANDARD, Quality.PLUS) if liif_plus else (Quality.STANDARD,)
    for label, model_name in methods.items():
        views: Views | None = None
        for quality in reversed(qualities):  # LIIF+'s eight grids, when asked, hold standard's one
            job = pipeline.check(picture, hr.width, hr.height, precision=precision, quality=quality,
                                 model=None if model_name == AUTO_MODEL else model_name)  # fmt: skip
            model = models(job.model)
            views = views[: job.views] if views else pipeline.encode(job, model)
            run = pipeline.Upscale(job, model, views)
            outputs[label + ("+" if quality is Quality.PLUS else "")] = gather(run.bands(), hr.width, hr.height)
    compressed = any(isinstance(step, Jpeg) for step in degradation.steps)
    return Score(
        image=name,
        scale=scale,
        size=hr.size,
        degradation=str(degradation),
        psnr={m: psnr(out, target, shave=shave, y_only=y_only) for m, out in outputs.items()},
        ssim={m: ssim(out, target, shave=shave) for m, out in outputs.items()} if with_ssim else {},
        blockiness={m: blockiness(out, 8 * scale) for m, out in outputs.items()} if compressed else {},
    )


def evaluate(
    methods: Mapping[str, str],
    paths: Sequence[Path],
    scales: Sequence[int],
    *,
    degradations: Sequence[Chain] = (CLEAN,),
    protocol: str = "div2k",
    precision: str = "auto",
    with_ssim: bool = False,
    liif_plus: bool = False,
    models: Callable[[str], LIIF] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Score], list[tuple[str, str]]]:
    """Scores for every readable image at every scale it is large enough for, under each degradation, and what
    was skipped, why (``methods`` as :func:`score_image` takes them)."""
    scores, skipped = [], []
    models = models or Models()
    runs = [(scale, chain) for chain in degradations for scale in scales]
    total, done = len(paths) * len(runs), 0
    for path in paths:
        try:
            hr = load_picture(path).rgb_image()
        except LiifError as exc:
            skipped.append((path.name, str(exc).split(": ", 1)[-1]))
            done += len(runs)
            if progress:
                progress(done, total)
            continue
        for scale, chain in runs:
            try:
                scores.append(
                    score_image(methods, path.name, hr, scale, models=models, degradation=chain, protocol=protocol,
                                precision=precision, with_ssim=with_ssim, liif_plus=liif_plus)
                )  # fmt: skip
            except ValueError as exc:
                skipped.append((f"{path.name} x{scale}", str(exc)))
            done += 1
            if progress:
                progress(done, total)
    return scores, skipped


def _mean_of(group: list[Score], field_name: str) -> dict[str, float]:
    tables: list[dict[str, float]] = [getattr(s, field_name) for s in group]
    keys = [k for k in tables[0] if all(k in t for t in tables)]
    return {k: float(np.mean([t[k] for t in tables])) for k in keys}


def means(scores: Iterable[Score]) -> list[Score]:
    """Means per degradation and scale (PSNR averaged in dB, as the paper does)."""
    groups: dict[tuple[str, int], list[Score]] = {}
    for score in scores:
        groups.setdefault((score.degradation, score.scale), []).append(score)
    return [
        Score(f"mean of {len(group)}", scale, (0, 0), degradation, *(_mean_of(group, f) for f in METRICS))
        for (degradation, scale), group in groups.items()
    ]


METRICS = ("psnr", "ssim", "blockiness")


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return "inf" if math.isinf(value) else f"{value:.2f}" if abs(value) > 1.5 else f"{value:.4f}"


def table_rows(scores: Sequence[Score]) -> tuple[list[str], list[list[str]]]:
    """The table ``liif eval`` prints: a row per score; PSNR and its gain over bicubic per method, then SSIM and
    blockiness where measured. A single model is labelled LIIF, as the paper does."""
    methods = scores[0].methods
    ssims = list(dict.fromkeys(m for s in scores for m in s.ssim))
    blocks = list(dict.fromkeys(m for s in scores for m in s.blockiness))  # only the JPEG cases have them
    degraded = any(s.degradation != str(CLEAN) for s in scores)
    headers = ["image", "scale", "HR size", *(["degradation"] if degraded else []), "bicubic PSNR"]
    for method in methods:
        headers += [f"{method} PSNR", f"{method} gain dB"]
    headers += [f"{m} SSIM" for m in ssims] + [f"{m} blockiness" for m in blocks]
    rows = []
    for s in scores:
        row = [s.image, f"x{s.scale}", f"{s.size[0]}x{s.size[1]}" if s.size[0] else ""]
        row += [s.degradation] if degraded else []
        row.append(_fmt(s.psnr[BICUBIC]))
        for method in methods:
            row += [_fmt(s.psnr[method]), f"{s.gain(method):+.2f}"]
        row += [_fmt(s.ssim.get(m)) for m in ssims] + [_fmt(s.blockiness.get(m)) for m in blocks]
        rows.append(row)
    return headers, rows


PLOTTERS = {".png": "matplotlib", ".html": "plotly"}


def check_plot_path(path: Path) -> Path:
    """Refuse a plot that could not be written, before the evaluation's work starts."""
    suffix = path.suffix.lower()
    if suffix not in PLOTTERS:
        raise LiifError(f"{path}: the plot is written as .png or .html")
    if importlib.util.find_spec(PLOTTERS[suffix]) is None:
        raise LiifError(f"{path}: writing a {suffix} plot needs {PLOTTERS[suffix]} (pip install 'liif[eval]')")
    if not path.parent.is_dir():
        raise LiifError(f"{path}: the folder {path.parent} does not exist")
    check_writable(path.parent, path)
    return path


def plot_gain(scores: Sequence[Score], path: Path) -> None:
    """PSNR gain over bicubic against scale, for the clean photos: the first method per image (thin) and each
    method's mean (thick); PNG or HTML."""
    clean = [s for s in scores if s.degradation == str(CLEAN)] or list(scores)
    per_image: dict[str, list[Score]] = {}
    for score in clean:
        per_image.setdefault(score.image, []).append(score)
    mean = means(clean)
    first = mean[0].methods[0]
    if path.suffix.lower() == ".html":
        import plotly.graph_objects as go

        fig = go.Figure()
        for name, group in per_image.items():
            fig.add_scatter(x=[s.scale for s in group], y=[s.gain(first) for s in group], name=name, opacity=0.5)
        for i, method in enumerate(mean[0].methods):
            fig.add_scatter(x=[s.scale for s in mean], y=[s.gain(method) for s in mean], name=f"{method} mean",
                            line={"width": 4, "dash": "solid" if i == 0 else "dash"})  # fmt: skip
        fig.update_layout(xaxis_title="scale", yaxis_title="PSNR − bicubic PSNR (dB)", xaxis_type="log")
        with atomic_output(path) as partial:
            fig.write_html(partial, include_plotlyjs=True)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    for name, group in per_image.items():
        ax.plot([s.scale for s in group], [s.gain(first) for s in group], marker="o", lw=1, alpha=0.5, label=name)
    for i, method in enumerate(mean[0].methods):
        marker, line, colour = ("o", "-", "black") if i == 0 else ("s", "--", f"C{i + 3}")
        gains = [s.gain(method) for s in mean]
        ax.plot([s.scale for s in mean], gains, marker=marker, ls=line, color=colour, lw=3, label=f"{method} mean")
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks([s.scale for s in mean], [f"×{s.scale}" for s in mean])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("scale")
    ax.set_ylabel("PSNR − bicubic PSNR (dB)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_output(path) as partial:
        fig.savefig(partial, format="png")
    plt.close(fig)
