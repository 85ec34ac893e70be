"""The fast decode against the paper-faithful reference, on inputs and sizes not in ../shared."""

import pytest
import torch
from conftest import assert_same_pixels, max_diff, random_image

import liif
from liif.core.coords import grid_points, pixel_centres, render_cell

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited

FAST_TOLERANCE = 1e-5

CASES = [
    ((30, 40), (61, 97)),  # non-uniform upscale
    ((30, 40), (30, 40)),  # scale 1
    ((30, 40), (15, 20)),  # downscale
    ((30, 40), (47, 13)),  # aspect change: taller and narrower
    ((30, 40), (1, 1)),  # a single output pixel
    ((1, 1), (7, 5)),  # a 1x1 input
    ((2, 2), (9, 9)),  # a 2x2 input
    ((2, 3), (2, 30)),  # x10 across, x1 down
]


@pytest.mark.parametrize(("in_size", "out_size"), CASES)
def test_fast_render_equals_reference(model, in_size, out_size):
    grid = liif.encode(model, random_image(*in_size, seed=sum(in_size)))
    height, width = out_size
    fast = liif.render(model, grid, width, height, precision="exact")
    assert fast.shape == (height, width, 3)
    assert max_diff(fast, liif.reference_render(model, grid, width, height)) <= FAST_TOLERANCE


def test_random_points_equal_reference_including_borders(model):
    grid = liif.encode(model, random_image(17, 23, seed=3))
    gen = torch.Generator().manual_seed(1)
    coords = torch.rand((3000, 2), generator=gen) * 2 - 1
    corners = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [0.0, 0.0]])
    coords = torch.cat([coords, corners])
    for cell in [(2 / 40, 2 / 50), (2 / 7, 2 / 300)]:
        fast = liif.query_points(model, grid, coords, cell, precision="exact")
        assert max_diff(fast, liif.reference_query(model, grid, coords, cell)) <= FAST_TOLERANCE


def test_points_at_pixel_centres_equal_the_full_render(model):
    grid = liif.encode(model, random_image(20, 30))
    width, height = 71, 53
    full = liif.render(model, grid, width, height, precision="exact")
    rows, cols = torch.tensor([0, 7, 52]), torch.tensor([0, 33, 70])
    coords = grid_points(pixel_centres(height)[rows], pixel_centres(width)[cols])
    points = liif.query_points(model, grid, coords, render_cell(height, width), precision="exact").clamp(0, 1)
    expected = full[rows][:, cols].reshape(-1, 3)
    assert_same_pixels(points, expected)


def test_ensemble_weights_sum_to_one_and_blend_to_the_colour(model):
    grid = liif.encode(model, random_image(12, 12))
    coords = torch.rand((500, 2), generator=torch.Generator().manual_seed(5)) * 2 - 1
    ens = liif.local_ensemble(model, grid, coords, (0.05, 0.05), precision="exact")
    assert torch.allclose(ens.weights.sum(0), torch.ones(500), atol=1e-6)
    assert (ens.weights >= 0).all()
    assert torch.equal(ens.blend(), liif.query_points(model, grid, coords, (0.05, 0.05), precision="exact"))
    assert ens.cells[..., 0].max() < 12 and ens.cells.min() >= 0
