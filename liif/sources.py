"""Where a model's weights come from: a path, or a known model name resolved to the bundled copy."""

from __future__ import annotations

from pathlib import Path

import torch

from liif.checkpoints import load_path
from liif.errors import WeightsError
from liif.model import LIIF

DEFAULT_MODEL = "edsr-baseline-liif"
MODEL_NAMES = ("edsr-baseline-liif", "rdn-liif")
BUNDLED = Path(__file__).parent / "bundled"

HOW_TO_PROVIDE = (
    "give a path to the official rdn-liif.pth or a Hub-format folder with --model (or LIIF_WEIGHTS), "
    "or set LIIF_HUB_REPO to a Hub repo that holds it"
)


def resolve(name_or_path: str = DEFAULT_MODEL) -> Path:
    """A local path holding the weights for a model name or a path."""
    if name_or_path in MODEL_NAMES:
        bundled = BUNDLED / name_or_path
        if bundled.is_dir():
            return bundled
        raise WeightsError(f"no weights for {name_or_path!r} on this machine: {HOW_TO_PROVIDE}")
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    raise WeightsError(f"{name_or_path!r} is neither a model name ({', '.join(MODEL_NAMES)}) nor an existing path")


def load_model(name_or_path: str = DEFAULT_MODEL, device: str | torch.device = "cpu") -> LIIF:
    """Load a model by name or path, ready for :func:`liif.encode`."""
    return load_path(resolve(name_or_path), device=device)
