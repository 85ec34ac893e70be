"""The views' starting points and numbers: the detailed spot, the edge and its width, the sweep, the cell study."""

import math

import numpy as np
import pytest
import torch
from conftest import ROOT, assert_same_pixels
from PIL import Image, ImageFilter

import liif
from liif.io.images import to_uint8
from liif.views.compare import SWEEP_ZOOMS, sweep_windows
from liif.views.detail import detail_spot, edge_line, edge_width, strongest_edge
from liif.views.explain import cell_study, heat_map

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited


def test_the_detailed_spot_is_on_the_textured_half():
    image = torch.full((3, 60, 100), 0.4)
    image[:, :, :50] = torch.rand((3, 60, 50), generator=torch.Generator().manual_seed(1))
    x, y = detail_spot(image)
    assert x < 50 - 2 and 0 < y < 60


def test_the_detailed_spot_is_never_cut_by_the_border():
    image = torch.full((3, 64, 64), 0.5)
    image[:, :6, :6] = torch.rand((3, 6, 6), generator=torch.Generator().manual_seed(2))  # texture in a corner
    x, y = detail_spot(image, window=16)
    assert x >= 8 and y >= 8


@pytest.mark.parametrize("angle", [0, 30, 90, 135])
def test_the_strongest_edge_gives_its_normal(angle):
    ys, xs = torch.meshgrid(torch.arange(80) + 0.5, torch.arange(80) + 0.5, indexing="ij")
    normal = (math.cos(math.radians(angle)), math.sin(math.radians(angle)))
    step = ((xs - 40) * normal[0] + (ys - 40) * normal[1] > 0).float()
    x, y, found = strongest_edge(step[None].repeat(3, 1, 1), (40, 40), 12)
    assert abs((x - 40) * normal[0] + (y - 40) * normal[1]) < 1.5  # on the edge
    assert abs(math.remainder(found - math.radians(angle), 2 * math.pi)) < math.radians(6)


def test_the_line_stays_perpendicular_under_a_non_uniform_scale():
    ys, xs = torch.meshgrid(torch.arange(40) + 0.5, torch.arange(40) + 0.5, indexing="ij")
    step = (xs + ys > 40).float()[None].repeat(3, 1, 1)  # a 45-degree edge in the photo
    (x0, y0), (x1, y1) = edge_line(step, (20, 20), 160, 80, length=48)  # x4 across, x2 down
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(48)
    along_edge = np.array([4.0, -2.0]) / math.hypot(4, 2)  # the edge's direction as the output shows it
    assert abs(np.array([x1 - x0, y1 - y0]) @ along_edge) / 48 < 0.05


@pytest.mark.parametrize("sigma", [0.8, 1.5, 3.0])
def test_edge_width_of_a_gaussian_blurred_step(sigma):
    """A step blurred by a Gaussian of sigma s rises from 10 % to 90 % over 2 * 1.2816 * s."""
    distance = torch.arange(0, 48, 0.25) + 0.125
    values = 0.1 + 0.7 * 0.5 * (1 + torch.erf((distance - 21.3) / (sigma * math.sqrt(2))))
    noise = torch.randn(distance.shape, generator=torch.Generator().manual_seed(0)) * 0.002
    assert edge_width(distance, values + noise) == pytest.approx(2 * 1.2816 * sigma, abs=0.3)
    assert edge_width(distance, values.flip(0)) == pytest.approx(2 * 1.2816 * sigma, abs=0.3)  # a falling edge
    assert math.isnan(edge_width(distance, torch.full_like(distance, 0.5)))


def test_edge_width_is_that_of_the_steepest_single_edge_on_a_line_across_many():
    """Grass: three blades 3 px wide (blurred by a Gaussian of sigma 0.6) beside a broad shadow edge. The width
    is the blade's own edge, 2 * 1.2816 * 0.6 px, not the spread between the line's darkest and brightest ends."""
    distance = torch.arange(0, 64, 0.25) + 0.125

    def step(at: float, sigma: float) -> torch.Tensor:
        return 0.5 * (1 + torch.erf((distance - at) / (sigma * math.sqrt(2))))

    blades = sum(step(at, 0.6) - step(at + 3, 0.6) for at in (8.0, 16.0, 23.5))
    values = 0.25 + 0.35 * blades + 0.3 * step(44, 4.0)
    assert edge_width(distance, values) == pytest.approx(2 * 1.2816 * 0.6, abs=0.3)
    noise = torch.randn(distance.shape, generator=torch.Generator().manual_seed(1)) * 0.004
    assert math.isnan(edge_width(distance, 0.5 + noise))  # a line across no edge: n/a, not a width of noise


def test_edge_width_of_a_sampled_box_blur():
    """A step through a box filter of width b (a linear ramp): 10-90 % is 0.8 b, read off pixel samples."""
    distance = torch.arange(40) + 0.5
    values = ((distance - 15) / 6).clamp(0, 1)
    assert edge_width(distance, values) == pytest.approx(0.8 * 6, abs=0.3)


@pytest.mark.slow
def test_sweep_windows_are_the_same_spot_at_each_zoom(model):
    picture = liif.load_picture(Image.open(ROOT / "examples" / "tree_foliage.jpg").reduce(8))
    w, h = picture.width, picture.height
    grid = liif.encode(model, picture.rgb, precision="exact")
    windows = sweep_windows((w / 3, h / 2), 32, w, h)
    assert [zoom for zoom, *_ in windows] == list(SWEEP_ZOOMS)
    for zoom, (left, top, right, bottom), virtual_w, virtual_h in windows:
        assert (virtual_w, virtual_h) == (round(w * zoom), round(h * zoom))
        assert right - left == bottom - top == 32
        assert abs((left + right) / 2 / zoom - w / 3) <= 1 and abs((top + bottom) / 2 / zoom - h / 2) <= 1
        if zoom <= 8:  # the whole render of the smaller zooms, cropped, is the window
            window = liif.render(model, grid, virtual_w, virtual_h, box=(left, top, right, bottom), precision="exact")
            full = liif.render(model, grid, virtual_w, virtual_h, precision="exact")
            assert_same_pixels(window, full[top:bottom, left:right])


def test_the_cell_changes_colours_at_edges_most_at_small_scales(model):
    """The paper's Table 3: cell decoding matters in-distribution (x2), less at large scales. On a real
    region the difference map is non-zero where there is detail, and larger at x2 than at x12."""
    photo = Image.open(ROOT / "examples" / "forest_stream.jpg").convert("RGB").crop((150, 90, 246, 186))
    at_2, at_12 = cell_study(model, photo, 2, 4), cell_study(model, photo, 12, 4)
    picture, top = at_2.difference()
    assert picture.shape == (96, 96, 3) and top > 1 / 255
    brightness = picture.astype(float).mean(-1)
    assert brightness.max() > 200 and np.percentile(brightness, 50) > 20  # seen, not near black
    assert float(at_2.change().mean()) > float(at_12.change().mean())
    assert at_2.psnr_true > at_2.psnr_small  # the true cell is the better guess of the photo
    # Where the photo is flat the cell matters least: the difference follows detail (edges, smoothed a little).
    detail = np.asarray(photo.convert("L").filter(ImageFilter.FIND_EDGES).filter(ImageFilter.BoxBlur(2)), float)
    change = at_2.change()
    assert change[detail > np.percentile(detail, 80)].mean() > 1.8 * change[detail < np.percentile(detail, 20)].mean()
    # The scale runs from dark to bright: a larger change is never drawn darker.
    ramp = heat_map(np.linspace(0, 1, 256), 1.0).astype(float).mean(-1)
    assert (np.diff(ramp) > -1).all() and ramp[0] < 5 and ramp[-1] > 200  # (within 8-bit rounding)
    assert to_uint8(at_2.truth).shape == (96, 96, 3)
