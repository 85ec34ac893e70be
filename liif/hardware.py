"""Choosing where and in what precision to compute.

``auto`` (the default everywhere) runs the MLP in bf16 where the hardware does bf16 matmuls natively
(avx512_bf16 or AMX on a CPU, bf16 support on a GPU) and in fp32 elsewhere, where bf16 would be emulated
and slower. ``exact`` is fp32, the precision that matches the official code (max abs diff <= 1e-4).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import torch

from liif.errors import LiifError

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "exact", "fp32", "bf16")
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
SPEED_FLAGS = frozenset({"avx2", "avx512f", "amx_tile", *NATIVE_BF16_FLAGS})


def pick_device(name: str = "auto") -> torch.device:
    if name not in DEVICES:
        raise LiifError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "cuda" and not torch.cuda.is_available():
        raise LiifError("--device cuda was asked for, but no CUDA GPU is available")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    return frozenset(
        flag for line in text.splitlines() if line.startswith("flags") for flag in line.split(":", 1)[1].split()
    )


def speed_flags() -> str:
    """The CPU flags that decide how fast LIIF runs here, for the headers of benchmarks and ``liif info``."""
    return ", ".join(sorted(cpu_flags() & SPEED_FLAGS)) or "none of avx2, avx512, amx"


def native_bf16(device: torch.device) -> bool:
    """Whether bf16 matmuls run in hardware here; without it, bf16 is emulated and slower than fp32."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(cpu_flags() & NATIVE_BF16_FLAGS)


@dataclass(frozen=True)
class Precision:
    """What a precision name means on a device: the dtype name that computes, and why, in words."""

    compute: str  # "fp32" or "bf16"
    why: str


def choose_precision(name: str, device: torch.device) -> Precision:
    """Resolve ``auto`` / ``exact`` / ``fp32`` / ``bf16`` for ``device``."""
    if name not in PRECISIONS:
        raise LiifError(f"unknown precision {name!r}; choose one of {', '.join(PRECISIONS)}")
    where = "this GPU" if device.type == "cuda" else "this CPU"
    if name == "auto":
        if native_bf16(device):
            return Precision("bf16", f"auto: {where} runs bf16 natively")
        return Precision("fp32", f"auto: {where} has no native bf16 (it would be emulated, slower), so exact fp32")
    if name in ("exact", "fp32"):
        return Precision("fp32", "exact fp32")
    if native_bf16(device):
        return Precision("bf16", "bf16, as asked")
    return Precision("bf16", f"bf16 as asked, emulated on {where}: slower than fp32 here")
