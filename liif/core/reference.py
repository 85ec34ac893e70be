"""The paper-faithful LIIF decode: slow and memory-hungry on purpose, clear on purpose.

It follows the paper step by step (unfold the whole feature map, look codes up with nearest-neighbour
sampling, run the full 580-input MLP four times per query, blend with the local ensemble). The fast
path in :mod:`liif.core.query` is tested against it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from liif.core.coords import grid_points, pixel_centres, render_cell
from liif.core.grid import LatentGrid
from liif.core.model import LIIF

ENSEMBLE_OFFSETS = ((-1, -1), (-1, 1), (1, -1), (1, 1))  # (vy, vx), in the official loop order
EPS_SHIFT = 1e-6
BOUND = 1 - 1e-6


def _sample_nearest(grid: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Values of a (1, C, h, w) map at (y, x) points, nearest cell: (N, C)."""
    xy = points.flip(-1).view(1, 1, -1, 2)  # grid_sample wants (x, y)
    return F.grid_sample(grid, xy, mode="nearest", align_corners=False)[0, :, 0, :].T


@torch.inference_mode()
def reference_query(
    model: LIIF, grid: LatentGrid, coords: torch.Tensor, cell: tuple[float, float], *, chunk: int = 30000
) -> torch.Tensor:
    """RGB at (N, 2) (y, x) points for an output whose pixels are ``cell`` wide; unclamped ``pred*0.5+0.5``."""
    h, w = grid.height, grid.width
    feat = grid.features[None]
    unfolded = F.unfold(feat, 3, padding=1).view(1, feat.shape[1] * 9, h, w)
    centres = grid_points(pixel_centres(h), pixel_centres(w)).T.reshape(1, 2, h, w).to(feat.device)
    scale = torch.tensor([h, w], dtype=torch.float32, device=feat.device)
    rel_cell = torch.tensor(cell, dtype=torch.float32, device=feat.device) * scale
    out = []
    for start in range(0, coords.shape[0], chunk):
        q = coords[start : start + chunk].to(feat.device, torch.float32)
        preds, areas = [], []
        for vy, vx in ENSEMBLE_OFFSETS:
            shifted = q.clone()
            shifted[:, 0] += vy / h + EPS_SHIFT
            shifted[:, 1] += vx / w + EPS_SHIFT
            shifted.clamp_(-BOUND, BOUND)
            code = _sample_nearest(unfolded, shifted)
            rel = (q - _sample_nearest(centres, shifted)) * scale
            mlp_in = torch.cat([code, rel, rel_cell.expand(len(q), 2)], dim=-1)
            preds.append(model.imnet(mlp_in))
            areas.append(torch.abs(rel[:, 0] * rel[:, 1]) + 1e-9)
        total = torch.stack(areas).sum(dim=0)
        rgb = torch.zeros_like(preds[0])
        # Each prediction is weighted by the area of the diagonally opposite offset.
        for pred, area in zip(preds, reversed(areas), strict=True):
            rgb = rgb + pred * (area / total).unsqueeze(-1)
        out.append(rgb * 0.5 + 0.5)
    return torch.cat(out).cpu()


def reference_render(model: LIIF, grid: LatentGrid, width: int, height: int) -> torch.Tensor:
    """A full ``height`` x ``width`` render, clamped to [0, 1]: (H, W, 3) float32."""
    coords = grid_points(pixel_centres(height), pixel_centres(width))
    rgb = reference_query(model, grid, coords, render_cell(height, width))
    return rgb.clamp(0, 1).view(height, width, 3)
