"""LIIF+: the 8 flips/transposes of a photo encoded and averaged at the same points of the image."""

import numpy as np
import pytest
import torch
from conftest import ROOT, random_image
from PIL import Image

import liif
from liif.core.coords import IDENTITY, TRANSFORMS, pixel_centres
from liif.core.metrics import psnr
from liif.views.evaluation import score_image
from liif.weights.sources import DEFAULT_MODEL

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited


def _asymmetric(height=9, width=14):
    """An image unlike any of its flips or transposes: a ramp plus one bright corner block."""
    image = random_image(height, width, seed=11)
    image[:, :2, :3] = 1.0
    return image


def test_there_are_eight_distinct_views_starting_with_the_image_itself():
    image = _asymmetric()
    assert TRANSFORMS[0] == IDENTITY and len(set(TRANSFORMS)) == 8
    views = [t.image(image) for t in TRANSFORMS]
    assert torch.equal(views[0], image)
    assert all(not torch.equal(a, b) for i, a in enumerate(views) for b in views[i + 1 :] if a.shape == b.shape)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_points_of_the_image_follow_its_pixels_into_each_view(transform):
    image = _asymmetric()
    view = transform.image(image)
    # Every pixel centre of the image lands on the centre of the view's pixel holding the same colour.
    height, width = image.shape[-2:]
    ys, xs = pixel_centres(height), pixel_centres(width)
    coords = torch.stack(torch.meshgrid(ys, xs, indexing="ij"), dim=-1).reshape(-1, 2)
    mapped = transform.points(coords)
    view_h, view_w = view.shape[-2:]
    rows = torch.round((mapped[:, 0] + 1) * view_h / 2 - 0.5).long()
    cols = torch.round((mapped[:, 1] + 1) * view_w / 2 - 0.5).long()
    assert torch.equal(view[:, rows, cols].T, image.reshape(3, -1).T)
    assert transform.cell((0.1, 0.2)) == ((0.2, 0.1) if transform.transpose else (0.1, 0.2))


def test_one_view_is_exactly_the_plain_render(model):
    image = _asymmetric(12, 17)
    plain = liif.render(model, liif.encode(model, image), 41, 23, precision="exact")
    one = liif.render(model, liif.encode_views(model, image, 1), 41, 23, precision="exact")
    assert torch.equal(plain, one)


@pytest.mark.parametrize("size", [(41, 23), (23, 41), (30, 30), (50, 9)])
def test_non_square_and_non_uniform_sizes_come_back_upright(model, size):
    # If a view's output were returned in its own orientation, it would be far from the plain render.
    with Image.open(ROOT / "examples" / "tree_foliage.jpg") as img:
        image = liif.load_picture(img.convert("RGB").resize((24, 16))).rgb
    plain = liif.render(model, liif.encode(model, image), *size, precision="exact")
    plus = liif.render(model, liif.encode_views(model, image, 8), *size, precision="exact")
    assert plus.shape == plain.shape == (size[1], size[0], 3)
    assert psnr(plus.numpy(), plain.numpy()) > 30
    assert not torch.equal(plus, plain)


def test_windows_and_points_of_liif_plus_are_the_same_pixels(model):
    views = liif.encode_views(model, _asymmetric(12, 17), 8)
    full = liif.render(model, views, 50, 30, precision="exact")
    window = liif.render(model, views, 50, 30, box=(7, 5, 33, 21), precision="exact")
    assert torch.allclose(window, full[5:21, 7:33], atol=1e-6)


def test_the_views_are_refused_outside_one_to_eight(model):
    with pytest.raises(ValueError, match="1 to 8 views"):
        liif.encode_views(model, _asymmetric(), 9)


@pytest.mark.slow
@pytest.mark.parametrize("scale", [2, 4, 12])
def test_best_beats_standard_on_a_real_photo(model, scale):
    """Best (the 8 views, back-projected) against standard LIIF, the eval protocol."""
    with Image.open(ROOT / "examples" / "tree_foliage.jpg") as img:
        hr = img.convert("RGB").crop((96, 48, 256, 208))  # 160x160 of leaves against the sky
    score = score_image({"LIIF": DEFAULT_MODEL}, "leaves", hr, scale, precision="exact", liif_plus=True)
    assert score.psnr["LIIF+"] > score.psnr["LIIF"] > score.psnr["bicubic"]


def test_the_cli_renders_liif_plus_on_request(tmp_path):
    from test_cli import run_cli

    source = tmp_path / "in.png"
    Image.fromarray((_asymmetric(10, 15).permute(1, 2, 0).numpy() * 255).astype("uint8")).save(source)
    plain, plus = tmp_path / "plain.npy", tmp_path / "plus.npy"
    assert run_cli("upscale", source, "-o", plain, "--size", "37x23", "--precision", "exact").returncode == 0
    done = run_cli("upscale", source, "-o", plus, "--size", "37x23", "--precision", "exact", "--liif-plus")
    assert done.returncode == 0, done.stderr
    a, b = np.load(plain), np.load(plus)
    assert a.shape == b.shape == (23, 37, 3) and not np.array_equal(a, b)
