"""Reading weights files: the official ``.pth``, a bare ``.safetensors`` and Hub-format folders.

Nothing here unpickles code: ``.pth`` files load with ``weights_only=True`` and everything else is
safetensors plus JSON.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from liif.core.model import LIIF
from liif.errors import WeightsError

CONFIG_FILE = "config.json"
SAFETENSORS_FILE = "model.safetensors"  # the Hub format's names (huggingface_hub's constants)


def _spec_error(path: Path, exc: Exception) -> WeightsError:
    return WeightsError(f"{path}: {exc.args[0] if exc.args else exc}")


def read_official(path: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The LIIF spec (``model.args``) and state dict of an official checkpoint."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"unsupported global:? (?:GLOBAL )?(\S+)", str(exc), re.IGNORECASE)
        if found:
            raise WeightsError(
                f"{path}: refused, loading it would import {found[1]}; only plain tensors are accepted"
            ) from None
        raise WeightsError(f"{path}: not a readable PyTorch checkpoint (unsupported pickle content)") from None
    except Exception as exc:  # weights_only never runs code; any other failure means "not a checkpoint"
        raise WeightsError(f"{path}: not a readable PyTorch checkpoint ({type(exc).__name__})") from None
    model = ckpt.get("model") if isinstance(ckpt, dict) else None
    if not isinstance(model, dict) or not {"name", "args", "sd"} <= model.keys():
        raise WeightsError(f'{path}: not an official LIIF checkpoint (expected {{"model": {{"name", "args", "sd"}}}})')
    if model["name"] != "liif":
        raise WeightsError(f"{path}: model {model['name']!r} is not 'liif'")
    return model["args"], model["sd"]


_LOAD_ERRORS = (KeyError, ValueError, TypeError, SafetensorError, OSError)


def _build(path: Path, spec: dict[str, Any], state_dict: dict[str, torch.Tensor]) -> LIIF:
    try:
        return LIIF(**spec).load_checked(state_dict)
    except _LOAD_ERRORS as exc:
        raise _spec_error(path, exc) from None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise WeightsError(f"{path}: unreadable config ({exc})") from None
    if not isinstance(config, dict):
        raise WeightsError(f"{path}: the config is not a JSON object")
    return config


def _require(path: Path, *files: Path) -> None:
    for needed in files:
        if not needed.is_file():
            raise WeightsError(
                f"{path}: {needed.name} is missing (a Hub-format model has config.json + model.safetensors)"
            )


def _read_safetensors(path: Path) -> LIIF:
    """A model from a ``.safetensors`` file and the ``config.json`` beside it (a Hub-format folder's pair)."""
    try:
        state_dict = load_file(path)
    except _LOAD_ERRORS as exc:
        raise WeightsError(f"{path}: not a readable safetensors file ({exc})") from None
    return _build(path, _read_config(path.with_name(CONFIG_FILE)), state_dict)


def load_path(path: str | Path, device: str | torch.device = "cpu") -> LIIF:
    """Load a model from a Hub-format folder, an official ``.pth`` or a ``.safetensors`` beside a ``config.json``."""
    path = Path(path)
    if path.is_dir():
        _require(path, path / CONFIG_FILE, path / SAFETENSORS_FILE)
        model = _read_safetensors(path / SAFETENSORS_FILE)
    elif path.suffix == ".safetensors":
        _require(path, path, path.with_name(CONFIG_FILE))
        model = _read_safetensors(path)
    elif path.is_file():
        model = _build(path, *read_official(path))
    else:
        raise WeightsError(f"{path}: no such file or folder")
    # Channels-last weights match the encoder's channels-last activations (see liif.core.grid.encode).
    return model.to(device).to(memory_format=torch.channels_last)  # type: ignore[call-overload]
