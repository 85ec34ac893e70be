"""The continuous colour signal along a line: LIIF sampled densely, bicubic, and the input's own pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from liif.core.coords import render_cell
from liif.core.grid import LatentGrid, Views
from liif.core.model import LIIF
from liif.core.query import query_points

MAX_SAMPLES = 65_536  # about 4 samples per output pixel up to a 16,000-pixel line


@dataclass(frozen=True)
class Profile:
    """Samples along a line; distances are in output pixels from its start."""

    distance: torch.Tensor  # (N,)
    points: torch.Tensor  # (N, 2) output pixel coordinates (x, y), pixel centres at i + 0.5
    liif: torch.Tensor  # (N, 3) in [0, 1]
    bicubic: torch.Tensor  # (N, 3) in [0, 1]
    input_distance: torch.Tensor  # (M,) where the line passes each input pixel it crosses
    input_rgb: torch.Tensor  # (M, 3) those pixels' own values

    def rows(self) -> list[list[float]]:
        """CSV rows: distance, x, y, LIIF r g b, bicubic r g b."""
        table = torch.cat([self.distance[:, None], self.points, self.liif, self.bicubic], dim=1)
        return table.tolist()


CSV_HEADER = ["distance_px", "x", "y", "liif_r", "liif_g", "liif_b", "bicubic_r", "bicubic_g", "bicubic_b"]


def _to_unit(points: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """Output pixel coordinates (x, y) to the [-1, 1] (y, x) domain."""
    return torch.stack((points[:, 1] * 2 / height - 1, points[:, 0] * 2 / width - 1), dim=1)


def line_profile(
    model: LIIF,
    grid: LatentGrid | Views,
    image: torch.Tensor,
    width: int,
    height: int,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    samples_per_pixel: float = 4.0,
    precision: str = "auto",
) -> Profile:
    """Sample a line from ``start`` to ``end`` (x, y in pixels of the W x H output) at sub-pixel spacing.

    ``image`` is the (3, h, w) input the grid was encoded from; bicubic is PyTorch's (a = -0.75) on it.
    """
    a, b = torch.tensor(start, dtype=torch.float32), torch.tensor(end, dtype=torch.float32)
    length = float(torch.linalg.vector_norm(b - a))
    count = min(MAX_SAMPLES, max(2, math.ceil(length * samples_per_pixel) + 1))
    t = torch.linspace(0, 1, count)[:, None]
    points = a + t * (b - a)
    unit = _to_unit(points, width, height)
    liif_rgb = query_points(model, grid, unit, render_cell(height, width), precision=precision).clamp(0, 1).cpu()

    sample_at = unit.flip(-1).view(1, 1, -1, 2)  # grid_sample wants (x, y)
    bicubic = F.grid_sample(image[None].float(), sample_at, mode="bicubic", padding_mode="border", align_corners=False)
    bicubic = bicubic[0, :, 0].T.clamp(0, 1)

    # The input pixels the line crosses, found on a walk of 4 steps per input pixel (the LIIF samples may
    # be sparser than the input's pixels when the output is smaller than the photo).
    in_h, in_w = image.shape[-2:]
    in_length = float(torch.linalg.vector_norm((b - a) * torch.tensor([in_w / width, in_h / height])))
    walk = _to_unit(a + torch.linspace(0, 1, max(2, math.ceil(in_length * 4) + 1))[:, None] * (b - a), width, height)
    rows = ((walk[:, 0] + 1) / 2 * in_h).floor().clamp(0, in_h - 1).long()
    cols = ((walk[:, 1] + 1) / 2 * in_w).floor().clamp(0, in_w - 1).long()
    pixel = rows * in_w + cols
    first = torch.ones_like(pixel, dtype=torch.bool)
    first[1:] = pixel[1:] != pixel[:-1]
    rows, cols = rows[first], cols[first]
    # Each crossed input pixel sits where its centre projects onto the line.
    centres = torch.stack(((cols + 0.5) * width / in_w, (rows + 0.5) * height / in_h), dim=1)
    direction = (b - a) / max(length, 1e-9)
    input_distance = ((centres - a) * direction).sum(1).clamp(0, length)
    return Profile(
        distance=t[:, 0] * length,
        points=points,
        liif=liif_rgb,
        bicubic=bicubic,
        input_distance=input_distance,
        input_rgb=image[:, rows, cols].T.float(),
    )
