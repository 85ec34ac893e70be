"""The LIIF network: an encoder plus the MLP that maps (latent code, offset, cell) to a colour.

The module holds weights only. Encoding returns a :class:`liif.core.grid.LatentGrid` and decoding takes one,
so nothing about an image is hidden on the model.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from liif.core.encoders import build_encoder


class MLP(nn.Module):
    """ReLU MLP; layer indices match the official ``imnet.layers.N`` keys."""

    def __init__(self, in_dim: int, out_dim: int, hidden_list: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for width in hidden_list:
            layers += [nn.Linear(in_dim, width), nn.ReLU()]
            in_dim = width
        layers.append(nn.Linear(in_dim, out_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)

    @property
    def linears(self) -> list[nn.Linear]:
        return [m for m in self.layers if isinstance(m, nn.Linear)]


class LIIF(nn.Module):
    """Encoder + MLP, built from the official ``model.args`` spec (which is also our ``config.json``; the Hub
    format is :mod:`liif.weights.hub`'s)."""

    def __init__(
        self,
        encoder_spec: dict[str, Any],
        imnet_spec: dict[str, Any],
        local_ensemble: bool = True,
        feat_unfold: bool = True,
        cell_decode: bool = True,
    ) -> None:
        super().__init__()
        # The official ``model.args``: kept here so a checkpoint can be re-exported as it was loaded.
        self._spec: dict[str, Any] = {
            "encoder_spec": encoder_spec,
            "imnet_spec": imnet_spec,
            "local_ensemble": local_ensemble,
            "feat_unfold": feat_unfold,
            "cell_decode": cell_decode,
        }
        if not (local_ensemble and feat_unfold and cell_decode):
            raise ValueError("only the paper's full LIIF (local ensemble, feature unfolding, cell decoding) is built")
        self.encoder = build_encoder(encoder_spec)
        if imnet_spec.get("name") != "mlp":
            raise ValueError(f"unknown imnet {imnet_spec.get('name')!r}; only 'mlp' is known")
        args = imnet_spec.get("args", {})
        # 3x3 unfolded code + relative coordinate (2) + cell size (2).
        in_dim = self.encoder.out_dim * 9 + 4
        try:
            self.imnet = MLP(in_dim, args["out_dim"], list(args["hidden_list"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad imnet arguments: {exc}") from None

    @property
    def spec(self) -> dict[str, Any]:
        return copy.deepcopy(self._spec)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """Latent features of a normalised (N, 3, H, W) batch."""
        return self.encoder(image)

    def load_checked(self, state_dict: dict[str, torch.Tensor]) -> LIIF:
        """Load weights strictly, naming the first missing, mis-shaped or unexpected key on failure."""
        expected = self.state_dict()
        for key, tensor in expected.items():
            if key not in state_dict:
                raise KeyError(f"missing key {key!r} (shape {list(tensor.shape)})")
            got = state_dict[key]
            if not isinstance(got, torch.Tensor) or got.shape != tensor.shape:
                shape = list(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                raise KeyError(f"key {key!r} has shape {shape}, expected {list(tensor.shape)}")
        for key in state_dict:
            if key not in expected:
                raise KeyError(f"unexpected key {key!r}")
        self.load_state_dict(state_dict, strict=True)
        return self.eval()
