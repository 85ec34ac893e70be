"""Pictures and numbers that show how LIIF represents an image (the app's "How it works" tab).

Everything here is computed with the same code the renders use, so what it shows is what happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

from liif.core.coords import grid_points, pixel_centres, render_cell
from liif.core.grid import LatentGrid, encode
from liif.core.metrics import psnr
from liif.core.model import LIIF
from liif.core.query import local_ensemble
from liif.core.render import Box, render
from liif.io.images import load_picture
from liif.views.evaluation import make_pair

PCA_BLOCK = 65_536  # codes per block when projecting the latent grid
# A dark-to-bright colour scale (the stops of matplotlib's "inferno" at 0, 1/4, 1/2, 3/4 and 1): small changes
# stay visible against black, and brightness alone still reads in grey.
HEAT = np.array([(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)], dtype=np.float64)
HEAT_TOP = 99  # the percentile of the change drawn brightest: a few extreme pixels do not dim the rest


def heat_map(values: np.ndarray, top: float) -> np.ndarray:
    """Values from 0 to ``top`` (above it: the brightest) as an 8-bit RGB picture on the :data:`HEAT` scale."""
    t = np.clip(values / max(top, 1e-12), 0, 1) * (len(HEAT) - 1)
    low = np.minimum(t.astype(int), len(HEAT) - 2)
    frac = (t - low)[..., None]
    return np.round(HEAT[low] * (1 - frac) + HEAT[low + 1] * frac).astype(np.uint8)


def latent_pca(grid: LatentGrid) -> np.ndarray:
    """The latent grid as an (h, w, 3) uint8 picture: its 3 principal components as R, G, B.

    Each component is stretched between its 1st and 99th percentile, so a few extreme codes don't
    wash the picture out. Signs are fixed (largest loading positive) so the colours are repeatable.
    """
    channels, h, w = grid.features.shape
    flat = grid.features.reshape(channels, -1).cpu()
    n = flat.shape[1]
    # Mean and covariance in float64, a block of codes at a time: a 4-megapixel photo's codes would take
    # 2 GB as one float64 copy, and this never holds more than one block of them.
    total = torch.zeros(channels, dtype=torch.float64)
    gram = torch.zeros((channels, channels), dtype=torch.float64)
    for start in range(0, n, PCA_BLOCK):
        block = flat[:, start : start + PCA_BLOCK].double()
        total += block.sum(1)
        gram += block @ block.T
    mean = total / n
    _, vectors = torch.linalg.eigh(gram / n - torch.outer(mean, mean))
    top = vectors[:, -3:].flip(1)  # largest variance first
    top = top * torch.sign(top.gather(0, top.abs().argmax(0, keepdim=True)))
    projected = torch.empty((n, 3), dtype=torch.float32)
    for start in range(0, n, PCA_BLOCK):
        block = flat[:, start : start + PCA_BLOCK].double()
        projected[start : start + PCA_BLOCK] = ((block - mean[:, None]).T @ top).float()
    low, high = torch.quantile(projected, 0.01, dim=0), torch.quantile(projected, 0.99, dim=0)
    scaled = ((projected - low) / (high - low).clamp_min(1e-12)).clamp(0, 1)
    return (scaled.reshape(h, w, 3).numpy() * 255).round().astype(np.uint8)


@dataclass(frozen=True)
class PointQuery:
    """The four latent codes behind one output pixel and how they are blended."""

    point: tuple[float, float]  # its centre in latent-grid cells (x, y), cell (0, 0) spanning [0, 1)
    cells: np.ndarray  # (4, 2) latent cells (row, col)
    offsets: np.ndarray  # (4, 2) the point minus each cell's centre, in cells (dy, dx)
    weights: np.ndarray  # (4,) local-ensemble weights, summing to 1
    predictions: np.ndarray  # (4, 3) each code's own RGB for the point, unclamped
    colour: np.ndarray  # (3,) the blend, clamped to [0, 1]: the rendered pixel


def code_change(before: LatentGrid, after: LatentGrid) -> tuple[np.ndarray, float]:
    """Where two models' latent grids of one photo differ: the length of each cell's change as a heat map
    (black: the same code; yellow: the most, at the 99th percentile), and that length. What LIIF for real photos
    learned shows there: on a JPEG, the 8x8 block edges and the noise the paper's codes kept."""
    if before.features.shape != after.features.shape:
        raise ValueError(f"grids of {tuple(before.features.shape)} and {tuple(after.features.shape)} differ in shape")
    change = (after.features - before.features).norm(dim=0).cpu().numpy()
    top = float(np.percentile(change, HEAT_TOP)) or 1.0
    return heat_map(change, top), top


def explain_pixel(model: LIIF, grid: LatentGrid, x: int, y: int, width: int, height: int) -> PointQuery:
    """Why pixel (x, y) of a W x H render has its colour."""
    if not (0 <= x < width and 0 <= y < height):
        raise ValueError(f"pixel ({x}, {y}) is outside a {width}x{height} output")
    coords = grid_points(pixel_centres(height, y, y + 1), pixel_centres(width, x, x + 1))
    ens = local_ensemble(model, grid, coords, render_cell(height, width), precision="exact")  # one pixel: exact
    point = ((x + 0.5) * grid.width / width, (y + 0.5) * grid.height / height)
    return PointQuery(
        point=point,
        cells=ens.cells[:, 0].cpu().numpy(),
        offsets=ens.rel[:, 0].cpu().numpy() / 2,  # rel is in half-cells: the domain [-1, 1] spans 2
        weights=ens.weights[:, 0].cpu().numpy(),
        predictions=ens.preds[:, 0].cpu().numpy(),
        colour=ens.blend()[0].clamp(0, 1).cpu().numpy(),
    )


def draw_point_query(pca: np.ndarray, query: PointQuery, *, radius: int = 3, zoom: int = 48) -> Image.Image:
    """The latent grid around a point, enlarged: the four cells outlined, their weights, the point."""
    h, w = pca.shape[:2]
    cy, cx = int(query.point[1]), int(query.point[0])
    top, left = max(0, min(cy - radius, h - 2 * radius - 1)), max(0, min(cx - radius, w - 2 * radius - 1))
    bottom, right = min(h, top + 2 * radius + 1), min(w, left + 2 * radius + 1)
    patch = Image.fromarray(pca[top:bottom, left:right]).resize(
        ((right - left) * zoom, (bottom - top) * zoom), Image.Resampling.NEAREST
    )
    draw = ImageDraw.Draw(patch)
    px, py = (query.point[0] - left) * zoom, (query.point[1] - top) * zoom
    for (row, col), weight in zip(query.cells, query.weights, strict=True):
        x0, y0 = (col - left) * zoom, (row - top) * zoom
        draw.rectangle((x0, y0, x0 + zoom - 1, y0 + zoom - 1), outline="white", width=3)
        centre = (x0 + zoom / 2, y0 + zoom / 2)
        draw.line((px, py, *centre), fill="white", width=max(1, round(6 * weight)))
        draw.text((x0 + 4, y0 + 4), f"{weight:.2f}", fill="white", stroke_width=2, stroke_fill="black")
    draw.ellipse((px - 6, py - 6, px + 6, py + 6), fill="red", outline="white", width=2)
    return patch


def cell_comparison(
    model: LIIF, grid: LatentGrid, width: int, height: int, box: Box | None, pretend: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same window rendered with its true cell and with a cell ``pretend`` times smaller.

    The cell input tells the MLP how large an area a pixel covers; a smaller cell asks for the colour
    of a smaller area, as if the output were ``pretend`` times larger, which sharpens (and can ring).
    """
    if pretend <= 0:
        raise ValueError(f"pretend scale must be positive, got {pretend}")
    true_cell = render_cell(height, width)
    small_cell = (true_cell[0] / pretend, true_cell[1] / pretend)
    return render(model, grid, width, height, box=box), render(model, grid, width, height, box=box, cell=small_cell)


@dataclass(frozen=True)
class CellStudy:
    """A region of a photo, LIIF from its ``scale``-times smaller copy with the true cell and with a cell
    ``pretend`` times smaller, and how close each comes to the region itself."""

    scale: int
    pretend: float
    truth: torch.Tensor  # (H, W, 3) the region, what a perfect upscale would give
    true_cell: torch.Tensor  # (H, W, 3) LIIF, told the true pixel size
    small_cell: torch.Tensor  # (H, W, 3) LIIF, told a pixel ``pretend`` times smaller
    psnr_true: float
    psnr_small: float

    def change(self) -> np.ndarray:
        """|true cell - smaller cell|, the mean over R, G and B, (H, W): where the cell input changes the colour."""
        return (self.true_cell - self.small_cell).abs().mean(-1).numpy()

    def difference(self) -> tuple[np.ndarray, float]:
        """:meth:`change` as a picture on the :data:`HEAT` scale, and the change drawn brightest (its 99th
        percentile, at least one level of 255): the changes are a few levels at most, so a fixed gain drew
        them near black."""
        change = self.change()
        top = max(float(np.percentile(change, HEAT_TOP)), 1 / 255)
        return heat_map(change, top), top


def cell_study(model: LIIF, region: Image.Image, scale: int, pretend: float = 4, precision: str = "exact") -> CellStudy:
    """Cell decoding on known ground truth: the region is downscaled by ``scale`` (the paper's protocol,
    PIL bicubic), then LIIF brings it back to the region's size with either cell, and both are scored
    against the region (PSNR, RGB, no border shaved)."""
    low, truth_image = make_pair(region.convert("RGB"), scale)
    grid = encode(model, load_picture(low).rgb, precision=precision)
    truth = load_picture(truth_image).rgb.permute(1, 2, 0)
    height, width = truth.shape[:2]
    true_cell, small_cell = cell_comparison(model, grid, width, height, None, pretend)
    return CellStudy(scale, pretend, truth, true_cell, small_cell, psnr(true_cell, truth), psnr(small_cell, truth))
