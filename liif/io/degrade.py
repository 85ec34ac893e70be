"""What happens to photos on their way to a person: JPEG compression, sensor noise, blur, another shrink kernel.

The paper's evaluation feeds LIIF clean bicubic shrinks, the one input its weights were trained on; people
enlarge small JPEGs, often noisy. ``liif eval --degrade`` measures that case (each degradation applied after the
bicubic shrink, in the order written), and ``training/`` draws random chains of the same steps to teach LIIF to
restore them. Every step takes and returns an 8-bit RGB PIL image, as a camera or a website would hand it on.

Spelling, for the CLI: ``jpeg:40`` (quality 40, 4:2:0 chroma), ``jpeg444:40`` (4:4:4), ``noise:8`` (Gaussian,
sigma in levels of 255), ``poisson:30`` (shot noise at 30 photons per level-255 white), ``blur:1.2`` (Gaussian
sigma in pixels); ``+`` chains steps (``noise:5+jpeg:75``), ``,`` separates cases.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
from PIL import Image, ImageFilter

from liif.errors import LiifError


class Chroma(Enum):
    """JPEG chroma subsampling: 4:2:0 halves colour resolution both ways (cameras, the web); 4:4:4 keeps it."""

    SUB_420 = 2  # Pillow's ``subsampling`` value
    FULL_444 = 0


@dataclass(frozen=True)
class Jpeg:
    quality: int
    chroma: Chroma = Chroma.SUB_420

    def __call__(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        """The decoded JPEG, as a file would open: its quantisation tables stay readable (``.quantization``)."""
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=self.quality, subsampling=self.chroma.value)
        decoded = Image.open(out)
        decoded.load()
        return decoded

    def __str__(self) -> str:
        return f"jpeg{'444' if self.chroma is Chroma.FULL_444 else ''}:{self.quality}"


@dataclass(frozen=True)
class Noise:
    """Additive Gaussian noise, the same sigma (levels of 255) in each channel, independent per channel."""

    sigma: float

    def __call__(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        pixels = np.asarray(image, dtype=np.float64)
        return _rounded(pixels + rng.normal(0.0, self.sigma, pixels.shape))

    def __str__(self) -> str:
        return f"noise:{self.sigma:g}"


@dataclass(frozen=True)
class Poisson:
    """Shot noise: each level counts photons, ``photons`` of them at white (fewer: noisier; darks less noisy)."""

    photons: float

    def __call__(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        level = np.asarray(image, dtype=np.float64) / 255 * self.photons
        return _rounded(rng.poisson(level) / self.photons * 255)

    def __str__(self) -> str:
        return f"poisson:{self.photons:g}"


@dataclass(frozen=True)
class Blur:
    """Gaussian blur (a soft lens, or focus slightly off), sigma in pixels."""

    sigma: float

    def __call__(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        return image.filter(ImageFilter.GaussianBlur(self.sigma))

    def __str__(self) -> str:
        return f"blur:{self.sigma:g}"


Step = Jpeg | Noise | Poisson | Blur


@dataclass(frozen=True)
class Chain:
    """Degradation steps applied in order; no steps is the clean case."""

    steps: tuple[Step, ...] = ()

    def __call__(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        image = image.convert("RGB")
        for step in self.steps:
            image = step(image, rng)
        return image

    def __str__(self) -> str:
        return "+".join(map(str, self.steps)) or "clean"


CLEAN = Chain()


def _rounded(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.round(pixels), 0, 255).astype(np.uint8), "RGB")


def _number(kind: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise LiifError(f"{kind}:{text[:20]!r}: {text[:20]!r} is not a number") from None
    if not low <= value <= high:
        raise LiifError(f"{kind}:{text[:20]}: must be from {low:g} to {high:g}")
    return value


def parse_step(text: str) -> Step:
    kind, _, value = text.strip().partition(":")
    kind = kind.lower()
    if kind in ("jpeg", "jpeg444"):
        quality = _number(kind, value, 1, 100)
        if quality != int(quality):
            raise LiifError(f"{kind}:{value}: a JPEG quality is a whole number")
        return Jpeg(int(quality), Chroma.FULL_444 if kind == "jpeg444" else Chroma.SUB_420)
    if kind == "noise":
        return Noise(_number(kind, value, 0, 100))
    if kind == "poisson":
        return Poisson(_number(kind, value, 1, 1e6))
    if kind == "blur":
        return Blur(_number(kind, value, 0, 20))
    if kind == "clean" and not value:
        raise LiifError("clean is a case of its own, not a step: write it between commas")
    raise LiifError(
        f"unknown degradation {text.strip()[:40]!r}; use jpeg:Q, jpeg444:Q, noise:SIGMA, poisson:PHOTONS, blur:SIGMA"
    )


def parse_chains(text: str) -> list[Chain]:
    """``"clean,jpeg:40,noise:5+jpeg:75"`` -> three cases."""
    chains = []
    for case in text.split(","):
        case = case.strip()
        if not case:
            continue
        chains.append(CLEAN if case.lower() == "clean" else Chain(tuple(parse_step(s) for s in case.split("+"))))
    if not chains:
        raise LiifError(f"{text[:40]!r} names no degradation; e.g. clean,jpeg:40,jpeg:75,noise:8")
    return chains


def describe(chains: Sequence[Chain]) -> str:
    return ", ".join(map(str, chains))
