"""int8 hidden layers for the MLP: the arithmetic ``auto`` picks on CPUs without native bf16.

Each 256x256 hidden layer's weights are quantised per output channel (symmetric, scale = max |w| / 127)
and packed for FBGEMM once per model; activations are quantised per call ("dynamic", over each chunk
of queries, to the full 8 bits: the 7-bit range that avoids AVX2's saturating multiply-add measured
twice the loss, -0.007 dB against -0.003 at x2). benchmarks/bench_precision.py measures the cost.
"""

from __future__ import annotations

import functools
import threading
import warnings
import weakref
from collections.abc import Callable

import torch
from torch import nn

Layer = Callable[[torch.Tensor], torch.Tensor]
ENGINE = "x86"  # FBGEMM's kernels, with oneDNN's where they are faster; the default engine on x86

_packed: weakref.WeakKeyDictionary[nn.Linear, object] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _pack(linear: nn.Linear) -> object:
    weight = linear.weight.detach().float()
    scales = (weight.abs().amax(dim=1).clamp_min(1e-12) / 127).double()
    zeros = torch.zeros(weight.shape[0], dtype=torch.long)
    before = torch.backends.quantized.engine
    try:
        torch.backends.quantized.engine = ENGINE
        with warnings.catch_warnings():  # torch 2.13 marks quantised tensors deprecated; the kernels are current
            warnings.simplefilter("ignore", UserWarning)
            quantised = torch.quantize_per_channel(weight, scales, zeros, 0, torch.qint8)
        return torch.ops.quantized.linear_prepack(quantised, linear.bias.detach().float())
    finally:
        torch.backends.quantized.engine = before


def packed(linear: nn.Linear) -> object:
    """The layer's packed int8 weights, made on its first use (a loaded model's weights do not change)."""
    with _lock:
        if linear not in _packed:
            _packed[linear] = _pack(linear)
        return _packed[linear]


def hidden_layer(linear: nn.Linear) -> Layer:
    """``relu(linear(x))`` in int8 for fp32 ``x``, returning fp32: the ReLU is the kernel's own output step (the
    fused op of ``torch.ao``'s dynamic ``LinearReLU``), not a second pass over the activations."""
    return functools.partial(torch.ops.quantized.linear_relu_dynamic, W_prepack=packed(linear), reduce_range=False)
