"""Where a photo shows what LIIF does: its most detailed spot, its strongest edge, and how sharp an edge is.

The app's views start here so that each one shows a difference on the first try: a crop in the middle of
a sky, or a line across a whole photo, shows bicubic and LIIF alike.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, as PIL's "L" mode


def luminance(rgb: torch.Tensor) -> torch.Tensor:
    """Luminance of channel-first RGB: (3, ...) to (...)."""
    return torch.tensordot(torch.tensor(LUMA, dtype=rgb.dtype, device=rgb.device), rgb, dims=([0], [0]))


def _gradients(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sobel derivatives (d/dx, d/dy) of a (3, H, W) image's luminance, same size (edges replicated)."""
    luma = luminance(image.float())[None, None]
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8
    padded = F.pad(luma, (1, 1, 1, 1), mode="replicate")
    gx = F.conv2d(padded, sobel_x[None, None])[0, 0]
    gy = F.conv2d(padded, sobel_x.T.contiguous()[None, None])[0, 0]
    return gx, gy


def detail_spot(image: torch.Tensor, window: int | None = None) -> tuple[float, float]:
    """The centre (x, y, in input pixels) of the ``window``-pixel square with the most gradient energy.

    Energy is the sum of squared luminance gradients; windows touching the border are not considered, so
    the spot is never cut by the photo's edge. ``window`` defaults to an eighth of the shorter side (at
    least 8 px).
    """
    height, width = image.shape[-2:]
    window = window or max(8, min(height, width) // 8)
    window = min(window, height, width)
    gx, gy = _gradients(image)
    energy = F.avg_pool2d((gx * gx + gy * gy)[None, None], window, stride=1)[0, 0]  # (H-w+1, W-w+1)
    margin_y, margin_x = min(window // 2, (energy.shape[0] - 1) // 2), min(window // 2, (energy.shape[1] - 1) // 2)
    inner = energy[margin_y : energy.shape[0] - margin_y, margin_x : energy.shape[1] - margin_x]
    row, col = divmod(int(inner.argmax()), inner.shape[1])
    return col + margin_x + window / 2, row + margin_y + window / 2


def strongest_edge(image: torch.Tensor, centre: tuple[float, float], radius: float) -> tuple[float, float, float]:
    """The strongest edge within ``radius`` input pixels of ``centre``: its point (x, y) and the angle of
    its normal (radians, the direction in which luminance rises fastest, x right, y down).

    The gradient is smoothed over 3x3 pixels first, so one noisy pixel is not taken for an edge.
    """
    height, width = image.shape[-2:]
    gx, gy = _gradients(image)
    gx, gy = (F.avg_pool2d(g[None, None], 3, stride=1, padding=1, count_include_pad=False)[0, 0] for g in (gx, gy))
    ys, xs = torch.meshgrid(torch.arange(height) + 0.5, torch.arange(width) + 0.5, indexing="ij")
    near = (xs - centre[0]) ** 2 + (ys - centre[1]) ** 2 <= radius**2
    strength = torch.where(near, gx * gx + gy * gy, torch.full_like(gx, -1.0))
    row, col = divmod(int(strength.argmax()), width)
    return col + 0.5, row + 0.5, math.atan2(float(gy[row, col]), float(gx[row, col]))


def edge_line(
    image: torch.Tensor,
    centre: tuple[float, float],
    width: int,
    height: int,
    length: float = 48,
    within: tuple[int, int, int, int] | None = None,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """A ``length``-pixel line of the W x H output across the strongest edge near ``centre`` (input pixels),
    perpendicular to it, centred on it, and kept inside the output (or inside its part ``within``, a box in
    output pixels). Returns its ends in output pixels."""
    in_h, in_w = image.shape[-2:]
    sx, sy = width / in_w, height / in_h
    radius = max(4.0, length / 2 / max(sx, sy))  # search about as far as the line reaches, in input pixels
    ex, ey, angle = strongest_edge(image, centre, radius)
    # The edge's normal in output pixels is (gx / sx, gy / sy): a non-uniform scale turns the edge, and the
    # line must stay perpendicular to the edge as the output shows it.
    dx, dy = math.cos(angle) / sx, math.sin(angle) / sy
    norm = math.hypot(dx, dy) or 1.0
    dx, dy = dx / norm * length / 2, dy / norm * length / 2
    left, top, right, bottom = within or (0, 0, width, height)
    fits = min(1.0, *((high - low) / 2 / abs(d) for d, low, high in ((dx, left, right), (dy, top, bottom)) if d))
    dx, dy = dx * fits, dy * fits  # shorter where the output is smaller than the line, in the same direction
    cx = min(max(ex * sx, left + abs(dx)), right - abs(dx))
    cy = min(max(ey * sy, top + abs(dy)), bottom - abs(dy))
    return (cx - dx, cy - dy), (cx + dx, cy + dy)


EDGE_CONTRAST = 0.04  # luminance (0-1) an edge must rise by, about 10 levels of 255: less is noise, not an edge
TURN = 0.02  # of the profile's range: a reversal this large ends the edge's run (sample noise is smaller)


def edge_width(distance: torch.Tensor, values: torch.Tensor) -> float:
    """The 10-90 % rise distance of the steepest edge in a profile (same units as ``distance``); ``nan`` if
    the profile crosses no edge (a rise of less than :data:`EDGE_CONTRAST`).

    The edge is the run around the steepest sample pair that keeps rising (or falling): it ends where the
    profile turns back by more than :data:`TURN` of its range, at the valley before and the peak after. Its
    low and high levels are read inside that run, so a line across several edges (blades of grass)
    measures the steepest one alone, not the spread between the line's darkest and brightest ends. The rise
    is read between the crossings of 10 % and 90 % inside the run, interpolated between samples.
    """
    d, v = distance.double(), values.double()
    slope = torch.diff(v) / torch.diff(d).clamp_min(1e-12)
    steep = int(slope.abs().argmax())
    if slope[steep] < 0:
        v = -v
    turn = TURN * float(v.max() - v.min())
    first, low = steep, float(v[steep])
    while first > 0 and float(v[first - 1]) <= low + turn:
        first -= 1
        low = min(low, float(v[first]))
    last, high = steep + 1, float(v[steep + 1])
    while last < len(v) - 1 and float(v[last + 1]) >= high - turn:
        last += 1
        high = max(high, float(v[last]))
    # Its levels: the 5th and 95th percentiles of either half of the run (its extremes would follow noise).
    low, high = float(v[first : steep + 1].quantile(0.05)), float(v[steep + 1 : last + 1].quantile(0.95))
    if high - low < EDGE_CONTRAST:
        return math.nan

    def crossing(level: float, indices: range) -> float | None:
        for i in indices:
            a, b = float(v[i]), float(v[i + 1])
            if (a - level) * (b - level) <= 0 and a != b:
                return float(d[i] + (level - a) / (b - a) * (d[i + 1] - d[i]))
        return None

    rise_from = crossing(low + 0.1 * (high - low), range(steep, first - 1, -1))
    rise_to = crossing(low + 0.9 * (high - low), range(steep, last))
    return math.nan if rise_from is None or rise_to is None else rise_to - rise_from
