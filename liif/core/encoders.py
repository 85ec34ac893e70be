"""The CNN encoders that turn an image into a grid of latent codes.

Module and parameter names follow the official checkpoints (see ``../shared/reference/*.keys.json``) so
their state dicts load without renaming.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import torch
from torch import nn


class Encoder(nn.Module):
    """What LIIF needs to know of an encoder besides its forward pass (N, 3, H, W) -> (N, out_dim, H, W): its
    capabilities, as typed fields (checked by the type checker, read by the code that tiles and chooses)."""

    out_dim: int  # channels of each latent code
    receptive_radius: int  # pixels each side that one output feature sees: the tiled encoder's overlap
    native_scale: ClassVar[int] = 1  # the scale its own output has: 1, LIIF replaces the upsampling tail
    supports_bfloat16: ClassVar[bool] = True  # runs under bf16 autocast within the bound precision.md measures


E = TypeVar("E", bound=type[Encoder])
_ENCODERS: dict[str, type[Encoder]] = {}


def register(name: str) -> Callable[[E], E]:
    """Make an encoder class buildable by the name official specs give it (``{"name": name, "args": ...}``)."""

    def add(cls: E) -> E:
        if name in _ENCODERS:
            raise ValueError(f"an encoder named {name!r} is registered already")
        _ENCODERS[name] = cls
        return cls

    return add


def _conv(cin: int, cout: int, kernel: int = 3) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel, padding=kernel // 2)


class _ResBlock(nn.Module):
    def __init__(self, feats: int, res_scale: float) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv(feats, feats), nn.ReLU(inplace=True), _conv(feats, feats))
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).mul(self.res_scale) + x


@register("edsr-baseline")
class EDSRBaseline(Encoder):
    """EDSR-baseline without its upsampling tail, as LIIF uses it."""

    def __init__(self, n_resblocks: int = 16, n_feats: int = 64, res_scale: float = 1.0) -> None:
        super().__init__()
        # The checkpoints carry the RGB mean-shift layers, but LIIF's forward pass never applies them:
        # they exist only so the official state dict loads strictly.
        self.sub_mean = nn.Conv2d(3, 3, 1).requires_grad_(False)
        self.add_mean = nn.Conv2d(3, 3, 1).requires_grad_(False)
        self.head = nn.Sequential(_conv(3, n_feats))
        blocks = [_ResBlock(n_feats, res_scale) for _ in range(n_resblocks)]
        self.body = nn.Sequential(*blocks, _conv(n_feats, n_feats))
        self.out_dim = n_feats
        # Each 3x3 conv on the longest path widens the receptive field by one pixel per side.
        self.receptive_radius = 2 * n_resblocks + 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.head(x)
        return self.body(head) + head


class _DenseLayer(nn.Module):
    def __init__(self, cin: int, growth: int, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(_conv(cin, growth, kernel), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat((x, self.conv(x)), 1)


class _ResidualDenseBlock(nn.Module):
    def __init__(self, g0: int, growth: int, n_layers: int, kernel: int) -> None:
        super().__init__()
        self.convs = nn.Sequential(*[_DenseLayer(g0 + i * growth, growth, kernel) for i in range(n_layers)])
        self.LFF = nn.Conv2d(g0 + n_layers * growth, g0, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.LFF(self.convs(x)) + x


RDN_CONFIGS = {"A": (20, 6, 32), "B": (16, 8, 64)}  # (blocks, layers per block, growth rate)


@register("rdn")
class RDN(Encoder):
    """Residual dense network without its upsampling tail, as LIIF uses it."""

    def __init__(self, G0: int = 64, RDNkSize: int = 3, RDNconfig: str = "B") -> None:  # noqa: N803
        super().__init__()
        blocks, layers, growth = RDN_CONFIGS[RDNconfig]
        self.SFENet1 = _conv(3, G0, RDNkSize)
        self.SFENet2 = _conv(G0, G0, RDNkSize)
        self.RDBs = nn.ModuleList(_ResidualDenseBlock(G0, growth, layers, RDNkSize) for _ in range(blocks))
        self.GFF = nn.Sequential(nn.Conv2d(blocks * G0, G0, 1), _conv(G0, G0, RDNkSize))
        self.out_dim = G0
        self.receptive_radius = (RDNkSize // 2) * (2 + blocks * layers + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shallow = self.SFENet1(x)
        x = self.SFENet2(shallow)
        block_outputs = []
        for block in self.RDBs:
            x = block(x)
            block_outputs.append(x)
        return self.GFF(torch.cat(block_outputs, 1)) + shallow


# Arguments the official specs may carry that only matter for the upsampling tail LIIF drops.
_TAIL_ARGS = {"scale", "rgb_range", "n_colors"}


def build_encoder(spec: dict[str, Any]) -> Encoder:
    """Make an encoder from an official spec such as ``{"name": "rdn", "args": {"no_upsampling": true}}``."""
    name = spec.get("name")
    if name not in _ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(_ENCODERS)}")
    args = dict(spec.get("args", {}))
    if not args.pop("no_upsampling", False):
        raise ValueError(f"encoder {name!r} must have no_upsampling=true: LIIF replaces the upsampling tail")
    for key in _TAIL_ARGS:
        args.pop(key, None)
    try:
        return _ENCODERS[name](**args)
    except (TypeError, KeyError) as exc:
        raise ValueError(f"bad arguments for encoder {name!r}: {exc}") from None
