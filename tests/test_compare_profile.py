"""Crops for comparison and the colour profile along a line."""

import numpy as np
import pytest
import torch
from conftest import random_image
from PIL import Image

import liif
from liif.views.compare import crop_box, resample_window
from liif.views.profile import CSV_HEADER, MAX_SAMPLES, line_profile


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(3)
    return Image.fromarray(rng.integers(0, 256, (24, 36, 3), dtype=np.uint8))


@pytest.mark.parametrize("method", ["bicubic", "nearest"])
@pytest.mark.parametrize(("width", "height"), [(108, 72), (50, 90), (20, 10)])
def test_a_resampled_window_is_the_crop_of_the_full_resize(source, method, width, height):
    full = np.asarray(resample_window(source, width, height, (0, 0, width, height), method))
    box = (width // 5, height // 4, width // 5 + width // 2, height // 4 + height // 2)
    window = np.asarray(resample_window(source, width, height, box, method))
    left, top, right, bottom = box
    diff = np.abs(window.astype(int) - full[top:bottom, left:right].astype(int))
    assert window.shape == (bottom - top, right - left, 3)
    assert diff.max() <= (1 if method == "bicubic" else 0)  # PIL's bicubic rounds each pass to 8 bits


@pytest.mark.parametrize(("width", "height"), [(108, 72), (50, 90)])
def test_full_windows_match_plain_resizes(source, width, height):
    bicubic = np.asarray(resample_window(source, width, height, (0, 0, width, height), "bicubic"))
    assert np.array_equal(bicubic, np.asarray(source.resize((width, height), Image.BICUBIC)))
    nearest = np.asarray(resample_window(source, width, height, (0, 0, width, height), "nearest"))
    # Nearest takes the source pixel under each output pixel centre (x + 0.5) * 36 / width.
    cols = np.minimum(((np.arange(width) + 0.5) * 36 / width).astype(int), 35)
    rows = np.minimum(((np.arange(height) + 0.5) * 24 / height).astype(int), 23)
    assert np.array_equal(nearest, np.asarray(source)[rows][:, cols])


def test_crop_box_is_shifted_inside_and_scaled_by_zoom():
    assert crop_box((50, 40), 20, 3, 100, 80) == ((120, 90, 180, 150), 300, 240)
    assert crop_box((1, 1), 20, 2, 100, 80) == ((0, 0, 40, 40), 200, 160)
    assert crop_box((99, 79), 20, 1, 100, 80) == ((80, 60, 100, 80), 100, 80)
    assert crop_box((5, 5), 64, 1, 30, 10) == ((0, 0, 30, 10), 30, 10)
    with pytest.raises(ValueError):
        crop_box((5, 5), 0, 1, 30, 10)


@pytest.fixture(scope="module")
def setup(model):
    image = random_image(12, 16, seed=11)
    return image, liif.encode(model, image)


def test_liif_samples_on_pixel_centres_equal_the_render(model, setup):
    image, grid = setup
    width, height = 64, 48
    # A horizontal line through row 10's centres, from pixel 3's centre to pixel 60's, one sample per pixel.
    prof = line_profile(
        model, grid, image, width, height, (3.5, 10.5), (60.5, 10.5), samples_per_pixel=1, precision="exact"
    )
    row = liif.render(model, grid, width, height, precision="exact")[10, 3:61]
    assert prof.liif.shape == (58, 3)
    assert torch.allclose(prof.liif, row, atol=1e-6)
    assert prof.distance[0] == 0 and prof.distance[-1] == pytest.approx(57)


def test_bicubic_and_input_markers_follow_the_input(model, setup):
    image, grid = setup
    # At scale 1 the bicubic curve passes through the input's pixel values at their centres.
    prof = line_profile(model, grid, image, 16, 12, (0.5, 5.5), (15.5, 5.5), samples_per_pixel=1)
    assert torch.allclose(prof.bicubic, image[:, 5, :].T.clamp(0, 1), atol=1e-5)
    assert len(prof.input_distance) == 16
    assert torch.equal(prof.input_rgb, image[:, 5, :].T)
    assert torch.allclose(prof.input_distance, torch.arange(16.0), atol=1e-5)


@pytest.mark.slow
def test_dense_sampling_is_sub_pixel_and_bounded(model, setup):
    image, grid = setup
    prof = line_profile(model, grid, image, 640, 480, (0, 0), (640, 480), samples_per_pixel=4)
    assert len(prof.distance) == 3201  # 800 px long, 4 samples per pixel
    step = prof.distance[1] - prof.distance[0]
    assert step == pytest.approx(0.25, rel=1e-3)
    long = line_profile(model, grid, image, 10000, 100, (0, 50), (10000, 50))
    assert len(long.distance) == 40001  # still about 4 samples per output pixel on a 10,000-px line
    huge = line_profile(model, grid, image, 64000, 48000, (0, 0), (64000, 48000))
    assert len(huge.distance) == MAX_SAMPLES


def test_every_input_pixel_crossed_is_counted_even_when_the_output_is_smaller(model, setup):
    image, grid = setup
    height, width = image.shape[-2:]
    # An output an eighth of the photo's size: half a sample per input pixel.
    small_w, small_h = max(1, width // 8), max(1, height // 8)
    prof = line_profile(model, grid, image, small_w, small_h, (0, small_h / 2), (small_w, small_h / 2))
    assert len(prof.input_distance) == width
    assert len(prof.rows()[0]) == len(CSV_HEADER)
