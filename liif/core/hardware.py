"""Choosing where and in what precision to compute.

``auto`` (the default everywhere) picks the fastest arithmetic this runtime really has for the MLP: bf16
where bf16 matmuls are native (avx512_bf16 or AMX on a CPU, bf16 support on a GPU), else int8 hidden
layers on an x86 CPU whose int8 kernels torch runs (AVX2 or AVX-512: 1.1-2.5x, within 0.01 dB), else
fp32. It decides from the kernels torch dispatches to (``torch.backends.cpu.get_cpu_capability()``, which
follows ``ATEN_CPU_CAPABILITY``) and the CPU's flags, so a CPU limited to AVX2 chooses as an AVX2-only one
does. ``exact`` is fp32, the precision that matches the official code (max abs diff <= 1e-4).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal, get_args

import torch

from liif.errors import LiifError

DEVICES = ("auto", "cpu", "cuda")
PrecisionName = Literal["auto", "exact", "fp32", "bf16", "int8"]  # what a caller asks for
PRECISIONS: tuple[PrecisionName, ...] = get_args(PrecisionName)


class Compute(StrEnum):
    """What computes the MLP here: its arithmetic, the dtype its activations travel in, and its words. A string
    enum, so a compute kind is also its name wherever a name is kept (a JSON speed table, a benchmark's row)."""

    FP32 = "fp32"
    BF16 = "bf16"
    INT8 = "int8"

    @property
    def dtype(self) -> torch.dtype:
        return torch.bfloat16 if self is Compute.BF16 else torch.float32  # int8 layers take and give fp32

    @property
    def words(self) -> str:
        return {"fp32": "32-bit floats", "bf16": "bfloat16 (16-bit floats)", "int8": "8-bit integers"}[self.value]


NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
SPEED_FLAGS = frozenset({"avx2", "avx512f", "avx512_vnni", "amx_tile", *NATIVE_BF16_FLAGS})
INT8_CAPABILITIES = frozenset({"AVX2", "AVX512"})  # x86 kernel sets with FBGEMM's int8 GEMMs


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


def cpu_capability() -> str:
    """The kernel set torch dispatches to on this CPU ("AVX2", "AVX512", "DEFAULT", ...)."""
    return torch.backends.cpu.get_cpu_capability()


def native_bf16(device: torch.device) -> bool:
    """Whether bf16 matmuls run in hardware here; without it, bf16 is emulated and slower than fp32."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return cpu_capability() == "AVX512" and bool(cpu_flags() & NATIVE_BF16_FLAGS)


def int8_kernels(device: torch.device) -> bool:
    """Whether this CPU runs int8 matmuls in FBGEMM's vector kernels (the ``x86`` quantized engine)."""
    return (
        device.type == "cpu"
        and cpu_capability() in INT8_CAPABILITIES
        and "x86" in torch.backends.quantized.supported_engines
    )


@dataclass(frozen=True)
class Precision:
    """What a precision name means on a device: what computes, and why, in words."""

    compute: Compute
    why: str


def choose_precision(name: str, device: torch.device) -> Precision:
    """Resolve ``auto`` / ``exact`` / ``fp32`` / ``bf16`` / ``int8`` for ``device``."""
    if name not in PRECISIONS:
        raise LiifError(f"unknown precision {name!r}; choose one of {', '.join(PRECISIONS)}")
    where = "this GPU" if device.type == "cuda" else "this CPU"
    if name == "auto":
        if native_bf16(device):
            return Precision(Compute.BF16, f"auto: {where} runs bf16 natively")
        if int8_kernels(device):
            return Precision(
                Compute.INT8, f"auto: {where} has no native bf16, so int8 hidden layers ({cpu_capability()})"
            )
        return Precision(Compute.FP32, f"auto: {where} has neither native bf16 nor int8 kernels, so exact fp32")
    if name in ("exact", "fp32"):
        return Precision(Compute.FP32, "exact fp32")
    if name == "int8":
        if int8_kernels(device):
            return Precision(Compute.INT8, "int8 hidden layers, as asked")
        return Precision(Compute.FP32, f"int8 was asked for, but {where} has no int8 kernels torch runs, so fp32")
    if native_bf16(device):
        return Precision(Compute.BF16, "bf16, as asked")
    return Precision(Compute.BF16, f"bf16 as asked, emulated on {where}: slower than fp32 here")
