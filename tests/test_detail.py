"""What ``auto`` does for speed: int8 hidden layers, and past x8 LIIF's x8 render enlarged (liif/core/enlarge.py)."""

import numpy as np
import pytest
import torch
from conftest import ROOT, assert_same_pixels, max_diff, random_image
from PIL import Image

import liif
from liif.core import hardware
from liif.core.enlarge import DETAIL_SCALE, taps
from liif.core.metrics import psnr
from liif.core.render import plan
from liif.views.evaluation import make_pair

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited

needs_int8 = pytest.mark.skipif(
    not hardware.int8_kernels(torch.device("cpu")), reason="this CPU has no int8 kernels torch runs"
)


@pytest.fixture
def fp32_auto(monkeypatch):
    """``auto`` on a CPU with neither native bf16 nor int8: its arithmetic is exact fp32."""
    monkeypatch.setattr(hardware, "int8_kernels", lambda device: False)
    monkeypatch.setattr(hardware, "native_bf16", lambda device: False)


def as_8bit(rgb: torch.Tensor) -> np.ndarray:
    return np.round(rgb.numpy() * 255) / 255


@needs_int8
@pytest.mark.parametrize("scale", [2, 4])
def test_int8_stays_within_a_hundredth_of_a_db_of_fp32_on_a_real_photo(model, scale):
    lr, hr = make_pair(Image.open(ROOT / "examples" / "forest_stream.jpg").convert("RGB"), scale)
    grid = liif.encode(model, liif.load_picture(lr).rgb, precision="exact")
    target = np.asarray(hr, dtype=np.float32) / 255
    exact = liif.render(model, grid, hr.width, hr.height, precision="exact")
    int8 = liif.render(model, grid, hr.width, hr.height, precision="int8")
    assert 0 < max_diff(exact, int8) < 0.05  # int8 really ran, and stays close pixel by pixel
    shave = scale + 6
    assert abs(psnr(as_8bit(int8), target, shave=shave) - psnr(as_8bit(exact), target, shave=shave)) <= 0.01


def test_the_int8_weights_are_packed_once_per_model(model):
    from liif.core import int8

    layer = model.imnet.linears[1]
    assert int8.packed(layer) is int8.packed(layer)


def test_cubic_taps_enlarge_as_pils_bicubic_does():
    source = np.random.default_rng(3).random((9, 13), dtype=np.float32)
    wide = Image.fromarray(source, mode="F").resize((100, 9), Image.Resampling.BICUBIC)
    across = taps(100, 13, 0, 100)
    ours = (source[:, across.index.numpy()] * across.weight.numpy()).sum(axis=2)
    # PIL renormalises its kernel at the borders where ours repeats the edge pixel: compare inside.
    inside = slice(12, 88)
    assert np.abs(ours[:, inside] - np.asarray(wide)[:, inside]).max() < 1e-5
    assert torch.allclose(across.weight.sum(dim=1), torch.ones(100))


def test_auto_renders_no_side_past_the_detail_scale_and_exact_every_pixel(model):
    grid = liif.encode(model, random_image(12, 16))
    assert plan(grid, 16 * 30, 12 * 30, "auto") == (16 * DETAIL_SCALE, 12 * DETAIL_SCALE)
    assert plan(grid, 16 * 30, 12 * 2, "auto") == (16 * DETAIL_SCALE, 24)  # per side
    assert plan(grid, 16 * 30, 12 * 30, "exact") == (480, 360)
    assert plan(grid, 16 * 4, 12 * 4, "auto") == (64, 48)
    assert DETAIL_SCALE >= 8  # below x8 the enlargement is visibly softer (README, the detail table)


def test_past_the_detail_scale_auto_is_the_x8_render_enlarged(model, fp32_auto):
    photo = liif.load_picture(ROOT / "examples" / "forest_stream.jpg").rgb[:, 40:70, 60:100]
    grid = liif.encode(model, photo)
    width, height = 40 * 24, 30 * 24
    full = liif.render(model, grid, width, height)
    box = (300, 200, 556, 456)
    window = liif.render(model, grid, width, height, box=box)
    assert_same_pixels(window, full[200:456, 300:556])  # a window is the crop of the whole enlarged render
    edge = (width - 100, height - 60, width, height)
    assert_same_pixels(liif.render(model, grid, width, height, box=edge), full[height - 60 :, width - 100 :])
    exact = liif.render(model, grid, width, height, box=box, precision="exact")
    assert 45 <= psnr(window, exact) < 80  # close to LIIF at x24, and not LIIF at x24 itself


@needs_int8
def test_under_int8_a_window_past_the_detail_scale_is_its_crop_within_int8_rounding(model):
    grid = liif.encode(model, random_image(20, 24, seed=2))
    width, height = 24 * 20, 20 * 20
    full = liif.render(model, grid, width, height)
    box = (100, 120, 356, 376)
    # int8 scales activations per chunk of queries, so a pixel in a window can round differently
    assert_same_pixels(liif.render(model, grid, width, height, box=box), full[120:376, 100:356], "int8")
