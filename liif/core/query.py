"""The colour at continuous points: the fast LIIF decode. Look here for "where is a colour computed".

Same maths as :mod:`liif.core.reference`, rearranged for speed and memory:

* The first MLP layer is linear, so its 576-input latent part depends only on the latent cell. It is
  computed once per cell that a band of queries touches (a gather of 3x3 neighbourhoods and one matmul),
  never per query and never for the whole unfolded map.
* The cell-size input is the same for every query of a render, so its contribution joins the bias.
* Queries run through the remaining layers in cache-sized chunks; nothing of size N x 580 is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from liif.core import int8
from liif.core.coords import cell_centres
from liif.core.grid import LatentGrid, Progress, Views, as_views
from liif.core.hardware import Compute, choose_precision
from liif.core.model import LIIF
from liif.core.reference import BOUND, ENSEMBLE_OFFSETS, EPS_SHIFT

BAND = 65536  # queries whose latent cells are projected together
# Queries per pass through the MLP's hidden layers (4 rows each), by what computes them: fp32 GEMMs run as fast at
# 1,024 rows as at 16,384 (AVX2 and AVX-512 alike), and 4 x 256 rows x 256 floats (1 MB) stay in a core's L2; int8
# (FBGEMM on AVX2) and native bf16 (AMX) need 4,000+ rows to feed their kernels (120 -> 220 int8 GOPS on AVX2;
# 308 -> 1,296 bf16 GFLOPS on AMX). ``benchmarks/bench_auto.py --parts FG`` measures them on the machine it runs on.
CHUNKS = {Compute.FP32: 256, Compute.INT8: 1024, Compute.BF16: 1024}


@dataclass(frozen=True)
class Ensemble:
    """The four local predictions behind each query point and their blending weights."""

    preds: torch.Tensor  # (4, N, 3), rgb = pred * 0.5 + 0.5, unclamped
    weights: torch.Tensor  # (4, N), sum to 1 over the first axis
    cells: torch.Tensor  # (4, N, 2) latent cell (row, col) each prediction came from
    rel: torch.Tensor  # (4, N, 2) the query's offset from that cell's centre, in half-cells: |rel| reaches 2

    def blend(self) -> torch.Tensor:
        return (self.preds * self.weights.unsqueeze(-1)).sum(0)


@dataclass(frozen=True)
class _Decoder:
    """The MLP's weights split for the fast path: the first layer's parts, then the layers after it."""

    latent: torch.Tensor  # (hidden, C*9), fp32
    bias: torch.Tensor  # (hidden,): first-layer bias + the cell input's contribution
    rel: torch.Tensor  # (hidden, 2), in ``dtype``
    hidden: tuple[int8.Layer, ...]  # the hidden layers after the first, each with its ReLU
    out: tuple[torch.Tensor, torch.Tensor]  # the last layer's weight and bias, in ``dtype``
    dtype: torch.dtype  # what the first layer's output is in, and the last layer computes in
    chunk: int  # queries per pass through the hidden layers (:data:`CHUNKS`)


def compute_dtype(precision: str, device: torch.device) -> torch.dtype:
    """The dtype of the MLP's activations for a precision name on ``device``."""
    return choose_precision(precision, device).compute.dtype


def _relu_linear(weight: torch.Tensor, bias: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return F.relu_(F.linear(x, weight, bias))


def _decoder(model: LIIF, rel_cell: torch.Tensor, compute: Compute) -> _Decoder:
    first, *hidden, last = model.imnet.linears
    dtype = compute.dtype
    n_latent = first.in_features - 4
    w1 = first.weight
    bias = first.bias + w1[:, n_latent + 2 :] @ rel_cell
    if compute is Compute.INT8:
        layers = tuple(int8.hidden_layer(lin) for lin in hidden)
    else:
        layers = tuple(functools.partial(_relu_linear, lin.weight.to(dtype), lin.bias.to(dtype)) for lin in hidden)
    out = (last.weight.to(dtype), last.bias.to(dtype))
    rel = w1[:, n_latent : n_latent + 2].to(dtype)
    return _Decoder(w1[:, :n_latent], bias, rel, layers, out, dtype, CHUNKS[compute])


def _nearest_cell(points: torch.Tensor, n: int) -> torch.Tensor:
    """Index of the cell nearest to each coordinate, rounding exactly as grid_sample(mode='nearest')."""
    return torch.round(((points + 1) * n - 1) / 2).clamp_(0, n - 1).long()


def locate(coords: torch.Tensor, h: int, w: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Latent cells (4, N, 2) and offsets from their centres (4, N, 2) for the four ensemble members."""
    cells, rels = [], []
    scale = torch.tensor([h, w], dtype=torch.float32, device=coords.device)
    for vy, vx in ENSEMBLE_OFFSETS:
        shifted = coords.clone()
        shifted[:, 0] += vy / h + EPS_SHIFT
        shifted[:, 1] += vx / w + EPS_SHIFT
        shifted.clamp_(-BOUND, BOUND)
        row, col = _nearest_cell(shifted[:, 0], h), _nearest_cell(shifted[:, 1], w)
        centre = torch.stack((cell_centres(row, h), cell_centres(col, w)), dim=-1)
        cells.append(torch.stack((row, col), dim=-1))
        rels.append((coords - centre) * scale)
    return torch.stack(cells), torch.stack(rels)


def _project(features: torch.Tensor, flat_cells: torch.Tensor, dec: _Decoder) -> torch.Tensor:
    """First-layer latent term (M, hidden) of the given cells: W1[:, :C*9] . unfold(F) + bias."""
    channels, h, w = features.shape
    rows, cols = flat_cells // w, flat_cells % w
    flat = features.reshape(channels, h * w)
    neighbours = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            r, c = rows + dy, cols + dx
            inside = ((r >= 0) & (r < h) & (c >= 0) & (c < w)).to(features.dtype)
            index = r.clamp(0, h - 1) * w + c.clamp(0, w - 1)
            neighbours.append(flat[:, index] * inside)
    # (C, 9, M) -> (M, C*9): channel-major, as F.unfold orders the 3x3 neighbourhood.
    codes = torch.stack(neighbours, dim=1).reshape(channels * 9, -1).T
    return torch.addmm(dec.bias, codes, dec.latent.T).to(dec.dtype)


def _mlp_tail(first: torch.Tensor, dec: _Decoder) -> torch.Tensor:
    x = F.relu_(first)
    for layer in dec.hidden:
        x = layer(x)
    return F.linear(x, *dec.out)


def _ensemble_band(
    features: torch.Tensor, coords: torch.Tensor, dec: _Decoder, progress: Callable[[int], None]
) -> Ensemble:
    h, w = features.shape[-2:]
    cells, rel = locate(coords, h, w)
    unique, inverse = torch.unique(cells[..., 0] * w + cells[..., 1], return_inverse=True)
    table = _project(features, unique, dec)
    n = coords.shape[0]
    preds = torch.empty((4, n, 3), dtype=torch.float32, device=coords.device)
    rel_c = rel.to(dec.dtype)
    for start in range(0, n, dec.chunk):
        stop = min(start + dec.chunk, n)
        # The four members' latent terms, plus each one's offset term, added in place (no temporaries).
        first = torch.index_select(table, 0, inverse[:, start:stop].reshape(-1))
        first.addmm_(rel_c[:, start:stop].reshape(-1, 2), dec.rel.T)
        preds[:, start:stop] = _mlp_tail(first, dec).view(4, stop - start, 3).float() * 0.5 + 0.5
        progress(stop - start)
    area = torch.abs(rel[..., 0] * rel[..., 1]) + 1e-9
    # Each prediction is weighted by the area of the diagonally opposite member.
    weights = area.flip(0) / area.sum(0)
    return Ensemble(preds, weights, cells, rel)


def _bands(
    model: LIIF,
    grid: LatentGrid,
    coords: torch.Tensor,
    cell: tuple[float, float],
    precision: str,
    progress: Progress | None,
) -> Iterator[Ensemble]:
    features = grid.features
    device = features.device
    h, w = grid.height, grid.width
    rel_cell = torch.tensor(cell, dtype=torch.float32, device=device) * torch.tensor([h, w], device=device)
    dec = _decoder(model, rel_cell, choose_precision(precision, device).compute)
    coords = coords.to(device=device, dtype=torch.float32)
    total, done = coords.shape[0], 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    with torch.inference_mode():
        for start in range(0, total, BAND):
            yield _ensemble_band(features, coords[start : start + BAND], dec, advance)


def local_ensemble(
    model: LIIF,
    grid: LatentGrid,
    coords: torch.Tensor,
    cell: tuple[float, float],
    *,
    precision: str = "auto",
    progress: Progress | None = None,
) -> Ensemble:
    """Everything behind the colours at (N, 2) (y, x) points in [-1, 1]^2, for output pixels ``cell`` wide."""
    bands = list(_bands(model, grid, coords, cell, precision, progress))
    fields = ("preds", "weights", "cells", "rel")
    return Ensemble(*(torch.cat([getattr(band, f) for band in bands], dim=1) for f in fields))


def query_points(
    model: LIIF,
    grid: LatentGrid | Views,
    coords: torch.Tensor,
    cell: tuple[float, float],
    *,
    precision: str = "auto",
    progress: Progress | None = None,
) -> torch.Tensor:
    """RGB (N, 3) at (y, x) points in [-1, 1]^2 for an output whose pixels are ``cell`` wide; unclamped.

    Several grids (views of one image, :func:`liif.core.grid.encode_views`) give the mean of their colours at
    the same points of the image: the self-ensemble.
    """
    views = as_views(grid)
    n = coords.shape[0]
    total = n * len(views)
    summed: torch.Tensor | None = None
    for i, view in enumerate(views):

        def step(done: int, _: int, before: int = i * n) -> None:
            if progress:
                progress(before + done, total)

        points, view_cell = view.transform.points(coords), view.transform.cell(cell)
        rgb = torch.cat([band.blend() for band in _bands(model, view, points, view_cell, precision, step)])
        summed = rgb if summed is None else summed + rgb
    assert summed is not None  # as_views never gives an empty tuple
    return summed / len(views)
