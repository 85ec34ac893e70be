"""Back-projection: a whole result made to agree with its photo, with PIL's own bicubic (liif/pipeline/refine.py)."""

import numpy as np
import pytest
from conftest import ROOT
from PIL import Image

import liif
from liif.core.metrics import psnr
from liif.pipeline.refine import back_project, consistency, resize
from liif.views.evaluation import make_pair, shave_for

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited


def test_the_resampler_is_pils_bicubic_on_floats():
    rng = np.random.default_rng(0)
    image = rng.random((37, 53, 3), dtype=np.float32)
    ours = resize(image, 20, 15)
    for c in range(3):
        pil = np.asarray(Image.fromarray(image[..., c], "F").resize((20, 15), Image.Resampling.BICUBIC))
        assert np.abs(ours[..., c] - pil).max() <= 1e-5
    eight = (image * 255).round().astype(np.uint8)
    pil8 = np.asarray(Image.fromarray(eight).resize((20, 15), Image.Resampling.BICUBIC), dtype=np.float32) / 255
    # PIL's 8-bit path rounds to 8 bits after each of its two passes: within a level of the float result
    assert np.abs(resize(eight / np.float32(255), 20, 15) - pil8).max() <= 1 / 255


def test_a_result_that_already_shrinks_to_its_photo_is_left_as_it_is():
    rng = np.random.default_rng(1)
    result = rng.random((64, 96, 3), dtype=np.float32) * 0.5 + 0.25  # inside [0, 1]: clamping changes nothing
    photo = resize(result, 48, 32)
    before = result.copy()
    back_project(result, photo)
    assert consistency(before, photo) == pytest.approx(0, abs=1e-4)
    assert np.abs(result - before).max() <= 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("scale", [2, 4])
def test_back_projection_raises_psnr_and_agreement_on_a_real_photo(model, scale):
    hr = liif.load_picture(ROOT / "examples" / "tree_foliage.jpg").rgb_image()
    lr, hr = make_pair(hr, scale)
    target = np.asarray(hr, dtype=np.float64) / 255
    photo = np.asarray(lr, dtype=np.float32) / 255
    grid = liif.encode(model, liif.load_picture(lr).rgb, precision="exact")
    result = liif.render(model, grid, hr.width, hr.height, precision="exact").numpy()
    shave = shave_for(scale, "div2k")
    before, agreement = psnr(result, target, shave=shave), consistency(result, photo)
    refined = back_project(result.copy(), photo)
    assert psnr(refined, target, shave=shave) > before + 0.01
    assert consistency(refined, photo) < agreement / 2
