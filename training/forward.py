"""LIIF's colours at sampled points of a batch of patches, differentiable and fast enough to train on a CPU.

The same function as :func:`liif.reference_query` (tested against it), rearranged as :mod:`liif.core.query` is: the
first MLP layer's 576-wide latent part is a 3x3 convolution of the feature map (the unfold's channel-major order
is a conv weight's), computed once per cell instead of four times per query and never unfolded; each query then
gathers its four cells' 256 values and adds its offset and cell terms.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from liif.core.model import LIIF
from liif.core.query import locate


def predict(model: LIIF, patches: torch.Tensor, coords: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
    """``pred`` (B, Q, 3), the MLP's output (colour = pred * 0.5 + 0.5), at (B, Q, 2) (y, x) points of
    (B, 3, h, w) patches in [0, 1], for high-resolution pixels ``cell`` (B, 2) wide."""
    batch, queries = coords.shape[:2]
    features = model.encoder((patches - 0.5) / 0.5)
    channels, h, w = features.shape[1:]
    first, *hidden, last = model.imnet.linears
    n_latent = channels * 9
    latent = F.conv2d(features, first.weight[:, :n_latent].reshape(-1, channels, 3, 3), first.bias, padding=1)
    width = latent.shape[1]
    cells, rel = locate(coords.reshape(-1, 2), h, w)  # (4, B*Q, 2) each
    index = (cells[..., 0] * w + cells[..., 1]).view(4, batch, 1, queries).expand(4, batch, width, queries)
    flat = latent.flatten(2).unsqueeze(0).expand(4, -1, -1, -1)  # (4, B, hidden, h*w)
    x = flat.gather(3, index).transpose(2, 3)  # (4, B, Q, hidden)
    rel = rel.view(4, batch, queries, 2)
    rel_cell = cell * torch.tensor([h, w], dtype=cell.dtype, device=cell.device)
    x = x + rel @ first.weight[:, n_latent : n_latent + 2].T
    x = x + (rel_cell @ first.weight[:, n_latent + 2 :].T)[None, :, None, :]
    x = F.relu(x)
    for layer in hidden:
        x = F.relu(layer(x))
    preds = last(x)  # (4, B, Q, 3)
    area = torch.abs(rel[..., 0] * rel[..., 1]) + 1e-9
    weights = area.flip(0) / area.sum(0)  # each member weighted by the area of the diagonally opposite one
    return (preds * weights.unsqueeze(-1)).sum(0)
