"""The paper's evaluation protocol (LIIF.md, Table 1): HR crop, bicubic LR, PSNR with a border shave.

``div2k`` protocol: PSNR on RGB, ``scale + 6`` pixels shaved at each border. ``benchmark`` protocol
(Set5-style): PSNR on the Y channel, ``scale`` pixels shaved. LIIF's output is compared as floats clamped
to [0, 1], not rounded; the bicubic baseline is PIL's 8-bit resize, as the paper's baseline.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from liif.coords import TRANSFORMS
from liif.errors import LiifError
from liif.grid import encode_views
from liif.imageio import atomic_output, check_writable, load_picture
from liif.metrics import psnr, ssim
from liif.model import LIIF
from liif.refine import best_result
from liif.render import render

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


@dataclass(frozen=True)
class Score:
    image: str
    scale: int
    size: tuple[int, int]  # HR (width, height) after cropping
    bicubic_psnr: float
    liif_psnr: float
    bicubic_ssim: float | None = None
    liif_ssim: float | None = None
    liif_plus_psnr: float | None = None  # with the 8-view self-ensemble, when asked for

    @property
    def gain(self) -> float:
        return self.liif_psnr - self.bicubic_psnr

    @property
    def plus_gain(self) -> float | None:
        return None if self.liif_plus_psnr is None else self.liif_plus_psnr - self.bicubic_psnr


def _floats(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float64) / 255.0


def score_image(
    model: LIIF,
    name: str,
    hr: Image.Image,
    scale: int,
    *,
    protocol: str = "div2k",
    precision: str = "auto",
    with_ssim: bool = False,
    self_ensemble: bool = False,
) -> Score:
    """Bicubic and LIIF (and LIIF+, the 8-view self-ensemble) against the HR photo at one scale."""
    shave = shave_for(scale, protocol)
    lr, hr = make_pair(hr, scale)
    if min(hr.size) <= 2 * shave:
        raise ValueError(f"{hr.width}x{hr.height} leaves nothing after a {shave}-pixel shave at x{scale}")
    target = _floats(hr)
    bicubic = _floats(lr.resize(hr.size, Image.Resampling.BICUBIC))
    y_only = protocol == "benchmark"
    bicubic_psnr = psnr(bicubic, target, shave=shave, y_only=y_only)
    if math.isinf(bicubic_psnr):
        raise ValueError("flat: even bicubic reproduces it exactly, so PSNR is infinite and says nothing")
    views = encode_views(model, load_picture(lr).rgb, len(TRANSFORMS) if self_ensemble else 1, precision=precision)
    out = render(model, views[0], hr.width, hr.height, precision=precision).numpy()
    plus = None
    if self_ensemble:  # LIIF+ (best): the views averaged, no further than x4, back-projected onto the photo

        def rows_at(w: int, h: int) -> list[tuple[int, torch.Tensor]]:
            return [(0, render(model, views, w, h, precision=precision))]

        plus = best_result(rows_at, hr.width, hr.height, _floats(lr).astype(np.float32))
    return Score(
        image=name,
        scale=scale,
        size=hr.size,
        bicubic_psnr=bicubic_psnr,
        liif_psnr=psnr(out, target, shave=shave, y_only=y_only),
        bicubic_ssim=ssim(bicubic, target, shave=shave) if with_ssim else None,
        liif_ssim=ssim(out, target, shave=shave) if with_ssim else None,
        liif_plus_psnr=None if plus is None else psnr(plus, target, shave=shave, y_only=y_only),
    )


def evaluate(
    model: LIIF,
    paths: Sequence[Path],
    scales: Sequence[int],
    *,
    protocol: str = "div2k",
    precision: str = "auto",
    with_ssim: bool = False,
    self_ensemble: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Score], list[tuple[str, str]]]:
    """Scores for every readable image at every scale it is large enough for, and what was skipped, why."""
    scores, skipped = [], []
    total, done = len(paths) * len(scales), 0
    for path in paths:
        try:
            hr = load_picture(path).rgb_image()
        except LiifError as exc:
            skipped.append((path.name, str(exc).split(": ", 1)[-1]))
            done += len(scales)
            if progress:
                progress(done, total)
            continue
        for scale in scales:
            try:
                scores.append(
                    score_image(
                        model,
                        path.name,
                        hr,
                        scale,
                        protocol=protocol,
                        precision=precision,
                        with_ssim=with_ssim,
                        self_ensemble=self_ensemble,
                    )
                )
            except ValueError as exc:
                skipped.append((f"{path.name} x{scale}", str(exc)))
            done += 1
            if progress:
                progress(done, total)
    return scores, skipped


def means(scores: Iterable[Score]) -> list[Score]:
    """Per-scale means (PSNR averaged in dB, as the paper does)."""
    by_scale: dict[int, list[Score]] = {}
    for score in scores:
        by_scale.setdefault(score.scale, []).append(score)

    def avg(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return float(np.mean(present)) if len(present) == len(values) else None

    return [
        Score(
            image=f"mean of {len(group)}",
            scale=scale,
            size=(0, 0),
            bicubic_psnr=float(np.mean([s.bicubic_psnr for s in group])),
            liif_psnr=float(np.mean([s.liif_psnr for s in group])),
            bicubic_ssim=avg([s.bicubic_ssim for s in group]),
            liif_ssim=avg([s.liif_ssim for s in group]),
            liif_plus_psnr=avg([s.liif_plus_psnr for s in group]),
        )
        for scale, group in sorted(by_scale.items())
    ]


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return "inf" if math.isinf(value) else f"{value:.2f}" if abs(value) > 1.5 else f"{value:.4f}"


def table_rows(scores: Sequence[Score], with_ssim: bool) -> tuple[list[str], list[list[str]]]:
    plus = any(s.liif_plus_psnr is not None for s in scores)
    headers = ["image", "scale", "HR size", "bicubic PSNR", "LIIF PSNR", "gain dB"]
    if plus:
        headers += ["LIIF+ PSNR", "LIIF+ gain dB", "LIIF+ over LIIF dB"]
    if with_ssim:
        headers += ["bicubic SSIM", "LIIF SSIM"]
    rows = []
    for s in scores:
        row = [s.image, f"x{s.scale}", f"{s.size[0]}x{s.size[1]}" if s.size[0] else ""]
        row += [_fmt(s.bicubic_psnr), _fmt(s.liif_psnr), f"{s.gain:+.2f}"]
        if plus and s.liif_plus_psnr is not None and s.plus_gain is not None:
            row += [_fmt(s.liif_plus_psnr), f"{s.plus_gain:+.2f}", f"{s.liif_plus_psnr - s.liif_psnr:+.3f}"]
        if with_ssim:
            row += [_fmt(s.bicubic_ssim), _fmt(s.liif_ssim)]
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
    """PSNR gain of LIIF over bicubic against scale: per image (thin) and the mean (thick); PNG or HTML."""
    per_image: dict[str, list[Score]] = {}
    for score in scores:
        per_image.setdefault(score.image, []).append(score)
    mean = means(scores)
    plus = [(s, s.plus_gain) for s in mean if s.plus_gain is not None]
    if path.suffix.lower() == ".html":
        import plotly.graph_objects as go

        fig = go.Figure()
        for name, group in per_image.items():
            fig.add_scatter(x=[s.scale for s in group], y=[s.gain for s in group], name=name, opacity=0.5)
        fig.add_scatter(x=[s.scale for s in mean], y=[s.gain for s in mean], name="mean", line={"width": 4})
        if plus:
            fig.add_scatter(x=[s.scale for s, _ in plus], y=[g for _, g in plus], name="LIIF+ mean",
                            line={"width": 4, "dash": "dash"})  # fmt: skip
        fig.update_layout(xaxis_title="scale", yaxis_title="LIIF PSNR − bicubic PSNR (dB)", xaxis_type="log")
        with atomic_output(path) as partial:
            fig.write_html(partial, include_plotlyjs=True)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    for name, group in per_image.items():
        ax.plot([s.scale for s in group], [s.gain for s in group], marker="o", lw=1, alpha=0.5, label=name)
    ax.plot([s.scale for s in mean], [s.gain for s in mean], marker="o", lw=3, color="black", label="mean")
    if plus:
        ax.plot([s.scale for s, _ in plus], [g for _, g in plus], marker="s", lw=3, ls="--", color="tab:red",
                label="LIIF+ mean (self-ensemble)")  # fmt: skip
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks([s.scale for s in mean], [f"×{s.scale}" for s in mean])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("scale")
    ax.set_ylabel("LIIF PSNR − bicubic PSNR (dB)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_output(path) as partial:
        fig.savefig(partial, format="png")
    plt.close(fig)
