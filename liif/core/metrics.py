"""Image quality numbers as the LIIF paper computes them (PSNR with a border shave, Y for benchmarks; SSIM)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

# ITU-R BT.601 luma of [0, 1] RGB, with the weights the paper's benchmark evaluation uses.
Y_WEIGHTS = (65.738 / 256, 129.057 / 256, 25.064 / 256)
Y_OFFSET = 16 / 255


def _as_tensor(img: torch.Tensor | np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(img) if not isinstance(img, torch.Tensor) else img).to(torch.float64)


def to_y(img: torch.Tensor | np.ndarray) -> torch.Tensor:
    """(H, W, 3) RGB in [0, 1] to (H, W) luma in [16/255, 235/255]."""
    return _as_tensor(img) @ torch.tensor(Y_WEIGHTS, dtype=torch.float64) + Y_OFFSET


def _shaved(img: torch.Tensor, shave: int) -> torch.Tensor:
    if shave == 0:
        return img
    if 2 * shave >= min(img.shape[0], img.shape[1]):
        raise ValueError(f"a {shave}-pixel shave leaves nothing of a {img.shape[1]}x{img.shape[0]} image")
    return img[shave:-shave, shave:-shave]


def psnr(
    pred: torch.Tensor | np.ndarray, target: torch.Tensor | np.ndarray, *, shave: int = 0, y_only: bool = False
) -> float:
    """PSNR in dB of two (H, W, 3) images in [0, 1], after shaving ``shave`` pixels off every border."""
    pred, target = _as_tensor(pred), _as_tensor(target)
    if pred.shape != target.shape:
        raise ValueError(f"shapes differ: {tuple(pred.shape)} vs {tuple(target.shape)}")
    diff = to_y(pred) - to_y(target) if y_only else pred - target
    mse = float(_shaved(diff, shave).pow(2).mean())
    return math.inf if mse == 0 else -10 * math.log10(mse)


def ssim(pred: torch.Tensor | np.ndarray, target: torch.Tensor | np.ndarray, *, shave: int = 0) -> float:
    """Mean SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5) on the luma of two [0, 1] RGB images."""
    a, b = (_shaved(to_y(x), shave)[None, None] for x in (pred, target))
    coords = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(coords**2) / (2 * 1.5**2))
    window = (g / g.sum()).outer(g / g.sum())[None, None]

    def blur(x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, window)

    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim_map.mean())


def blockiness(image: torch.Tensor | np.ndarray, period: float = 8) -> float:
    """How much JPEG's block grid shows: the mean luma step across the grid's lines (every ``period`` pixels, 8 for
    a JPEG itself, 8 x scale for its enlargement) over the mean step everywhere else; 1.0: no grid. Rows and
    columns count alike. A clean photo measures about 1.0, a quality-40 JPEG 1.3 or more."""
    luma = to_y(image)
    ratios = []
    for steps in (torch.diff(luma, dim=1).abs(), torch.diff(luma, dim=0).abs().T):
        n = steps.shape[1] + 1
        lines = sorted({round(k * period) - 1 for k in range(1, math.ceil(n / period)) if round(k * period) < n})
        if not lines:
            continue
        on = torch.zeros(steps.shape[1], dtype=torch.bool)
        on[lines] = True
        off = float(steps[:, ~on].mean())
        ratios.append(float(steps[:, on].mean()) / off if off > 0 else 1.0)
    if not ratios:
        raise ValueError(f"an image of {tuple(luma.shape)} has no {period:g}-pixel block grid to measure")
    return float(np.mean(ratios))
