"""Fit, fill and stretch: how a photo meets an output of another shape (liif/pipeline/layout.py, CLI --fit)."""

import numpy as np
import pytest
import torch
from conftest import random_image
from PIL import Image
from test_cli import assert_clean_failure, run_cli

import liif
from liif.pipeline.layout import layout, output_alpha, pad_colour, placed


def test_stretch_is_the_output_itself():
    plan = layout(400, 300, 1920, 1080)
    assert plan.render == (1920, 1080) and plan.box == (0, 0, 1920, 1080) and not plan.padded
    assert plan.describe(400, 300) is None


@pytest.mark.parametrize(("photo", "size"), [((400, 300), (1920, 1080)), ((300, 400), (1920, 1080)), ((7, 5), (9, 31))])
def test_fill_is_the_centred_window_of_one_scale_render(photo, size):
    plan = layout(*photo, *size, "fill")
    (render_w, render_h), (left, top, right, bottom) = plan.render, plan.box
    assert (right - left, bottom - top) == size and plan.at == (0, 0) and not plan.padded
    assert abs(render_w / photo[0] - render_h / photo[1]) < 1.5 / min(photo)  # one scale for both sides
    assert min(render_w - size[0], render_h - size[1]) == 0  # one side is the output's own
    assert abs(left - (render_w - right)) <= 1 and abs(top - (render_h - bottom)) <= 1  # centred
    assert plan.describe(*photo).startswith("fill: the photo's centre")


@pytest.mark.parametrize(
    ("photo", "size"), [((400, 300), (1920, 1080)), ((300, 400), (1000, 1000)), ((9, 2), (30, 300))]
)
def test_fit_is_the_whole_photo_at_one_scale_padded_and_centred(photo, size):
    plan = layout(*photo, *size, "fit")
    inner_w, inner_h = plan.render
    assert plan.box == (0, 0, inner_w, inner_h) and plan.padded
    assert abs(inner_w / photo[0] - inner_h / photo[1]) < 1.5 / min(photo)
    assert inner_w == size[0] or inner_h == size[1]  # it touches the box on one side
    x, y = plan.at
    assert abs(x - (size[0] - inner_w - x)) <= 1 and abs(y - (size[1] - inner_h - y)) <= 1


def test_fits_and_colours_that_do_not_exist_are_refused_in_one_line():
    with pytest.raises(liif.LiifError, match="unknown fit 'crop'; choose one of stretch, fill, fit"):
        layout(4, 3, 8, 8, "crop")
    with pytest.raises(liif.LiifError, match="'blurple' is not a colour"):
        pad_colour("blurple")
    assert pad_colour("#ff8000") == (1.0, 128 / 255, 0.0) and pad_colour("white") == (1.0, 1.0, 1.0)
    assert pad_colour(" Transparent ") is None


def test_fit_places_the_render_in_margins_of_the_pad_colour():
    plan = layout(4, 2, 12, 12, "fit")  # inner 12x6, margins of 3 rows above and below
    inner = torch.rand(6, 12, 3)
    bands = list(placed(iter([(0, inner[:4]), (4, inner[4:])]), plan, (1.0, 0.0, 0.0)))
    out = torch.empty(12, 12, 3)
    for row, rgb in bands:
        out[row : row + rgb.shape[0]] = rgb
    assert torch.equal(out[3:9], inner)
    assert torch.equal(out[:3], torch.tensor([1.0, 0.0, 0.0]).expand(3, 12, 3))
    assert torch.equal(out[9:], torch.tensor([1.0, 0.0, 0.0]).expand(3, 12, 3))
    alpha = np.asarray(output_alpha(None, plan, transparent=True))
    assert (alpha[3:9] == 255).all() and (alpha[:3] == 0).all() and (alpha[9:] == 0).all()
    assert output_alpha(None, plan, transparent=False) is None  # opaque margins: no alpha at all


def test_the_cli_fills_with_the_window_of_the_whole_photos_render(tmp_path, model):
    photo = tmp_path / "wide.png"
    rgb = random_image(20, 40, seed=4)
    Image.fromarray((rgb.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)).save(photo)
    out = tmp_path / "square.png"
    done = run_cli("upscale", photo, "-o", out, "--size", "60x60", "--fit", "fill", "--precision", "exact",
                   "--photo", "clean")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "fill: the photo's centre 20x20 of 40x20" in done.stderr
    grid = liif.encode(model, liif.load_picture(photo).rgb, precision="exact")
    expected = liif.render(model, grid, 120, 60, box=(30, 0, 90, 60), precision="exact")
    got = np.asarray(Image.open(out), dtype=np.float32) / 255
    assert got.shape == (60, 60, 3) and np.abs(got - expected.numpy()).max() <= 0.5 / 255 + 1e-6


def test_the_cli_fits_with_transparent_margins_and_refuses_a_bad_colour(tmp_path):
    photo = tmp_path / "wide.png"
    Image.fromarray(np.full((10, 40, 3), 200, dtype=np.uint8)).save(photo)
    out = tmp_path / "fit.png"
    done = run_cli("upscale", photo, "-o", out, "--size", "80x80", "--fit", "fit", "--pad", "transparent")
    assert done.returncode == 0, done.stderr
    image = Image.open(out)
    assert image.size == (80, 80) and image.mode == "RGBA"
    alpha = np.asarray(image)[..., 3]
    assert (alpha[:30] == 0).all() and (alpha[30:50] == 255).all() and (alpha[50:] == 0).all()
    bad = tmp_path / "bad.png"
    assert_clean_failure(
        run_cli("upscale", photo, "-o", bad, "--size", "80x80", "--fit", "fit", "--pad", "nocolour"), "not a colour"
    )
    assert not bad.exists()


def test_the_scale_is_said_as_the_page_says_it_before_the_click():
    """One number when the render keeps the photo's shape (a fill of 384x256 to 1920x1080 renders 1920x1280: x5,
    not "x5.00 across, x4.22 down"), both when a stretch changes it; as logic.js ``describe`` (tests/js)."""
    assert layout(384, 256, 1920, 1080, "fill").scale_words(384, 256) == "×5.00"
    assert layout(384, 256, 1920, 1080, "fit").scale_words(384, 256) == "×4.22"
    assert layout(100, 50, 300, 100).scale_words(100, 50) == "×3.00 across, ×2.00 down"
    assert layout(333, 500, 1001, 1503).scale_words(333, 500) == "×3.01"  # the same shape to the pixel
