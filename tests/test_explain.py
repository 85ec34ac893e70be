"""The maths behind the "How it works" pictures."""

import numpy as np
import pytest
import torch
from conftest import random_image

import liif
from liif.views.explain import cell_comparison, draw_point_query, explain_pixel, latent_pca

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited


@pytest.fixture(scope="module")
def grid(model):
    return liif.encode(model, random_image(20, 30, seed=5))


def test_pca_picture_has_the_grid_shape_and_full_range(grid):
    picture = latent_pca(grid)
    assert picture.shape == (20, 30, 3) and picture.dtype == np.uint8
    assert picture.min() == 0 and picture.max() == 255


def test_pca_channels_follow_the_directions_of_largest_variance():
    gen = torch.Generator().manual_seed(0)
    a, b, c = (torch.randn(12, 16, generator=gen) for _ in range(3))
    basis = torch.linalg.qr(torch.randn(64, 64, generator=gen))[0]
    features = 9 * a[None] * basis[:, 0, None, None] + 4 * b[None] * basis[:, 1, None, None]
    features = features + 2 * c[None] * basis[:, 2, None, None] + 0.01 * torch.randn(64, 12, 16, generator=gen)
    picture = latent_pca(liif.LatentGrid(features)).astype(float)
    for channel, source in enumerate((a, b, c)):
        corr = np.corrcoef(picture[..., channel].ravel(), source.numpy().ravel())[0, 1]
        assert abs(corr) > 0.95


def test_four_codes_blend_with_weights_summing_to_one_into_the_rendered_pixel(model, grid):
    width, height = 97, 61
    rendered = liif.render(model, grid, width, height, precision="exact")
    for x, y in [(0, 0), (40, 30), (96, 60), (13, 47)]:
        query = explain_pixel(model, grid, x, y, width, height)
        assert query.weights.sum() == pytest.approx(1, abs=1e-6)
        assert (query.weights >= 0).all()
        blended = np.clip((query.weights[:, None] * query.predictions).sum(0), 0, 1)
        assert np.allclose(blended, rendered[y, x].numpy(), atol=1e-6)
        assert np.allclose(query.colour, rendered[y, x].numpy(), atol=1e-6)
        # The codes come from the 2x2 block of cells around the point, at most a cell away.
        assert (np.abs(query.offsets) <= 1.0 + 1e-6).all()
        assert len({tuple(c) for c in query.cells}) in (1, 2, 4)  # fewer at the border, where cells repeat


def test_the_point_picture_is_drawn(model, grid):
    query = explain_pixel(model, grid, 40, 30, 97, 61)
    picture = draw_point_query(latent_pca(grid), query, radius=3, zoom=20)
    assert picture.size == (140, 140)


def test_cell_decoding_changes_the_crop_and_a_true_cell_does_not(model, grid):
    box = (30, 20, 70, 50)
    true, smaller = cell_comparison(model, grid, 120, 80, box, pretend=4)
    assert true.shape == smaller.shape == (30, 40, 3)
    assert (true - smaller).abs().max() > 1e-3
    same, also_true = cell_comparison(model, grid, 120, 80, box, pretend=1)
    assert torch.equal(same, also_true)
    with pytest.raises(ValueError):
        cell_comparison(model, grid, 120, 80, box, pretend=0)


def test_pixels_outside_are_refused(model, grid):
    with pytest.raises(ValueError, match="outside"):
        explain_pixel(model, grid, 97, 0, 97, 61)


def test_the_pca_picture_is_the_same_whatever_the_block_size(model, monkeypatch):
    import liif.views.explain as explain

    grid = liif.encode(model, random_image(20, 30, seed=4))
    whole = explain.latent_pca(grid)
    monkeypatch.setattr(explain, "PCA_BLOCK", 7)  # many blocks, the last one short
    assert np.abs(explain.latent_pca(grid).astype(int) - whole.astype(int)).max() <= 1


def test_the_change_between_two_grids_is_drawn_where_the_codes_differ(model):
    from liif.views.explain import code_change

    image = random_image(20, 30, seed=3)
    before = liif.encode(model, image)
    features = before.features.clone()
    features[:, 5:10, 10:20] += 1.0  # one region's codes moved
    heat, top = code_change(before, liif.LatentGrid(features))
    assert heat.shape == (20, 30, 3) and top > 0
    assert heat[5:10, 10:20].mean() > 4 * heat[12:, :].mean()  # bright where they moved, dark elsewhere
    with pytest.raises(ValueError, match="differ in shape"):
        code_change(before, liif.encode(model, random_image(10, 30)))
