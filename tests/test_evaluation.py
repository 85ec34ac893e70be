"""The paper's evaluation protocol and the `eval` command."""

import math

import numpy as np
import pytest
from conftest import ROOT
from PIL import Image
from test_cli import run_cli

from liif.core.metrics import psnr, ssim, to_y
from liif.views.evaluation import evaluate, make_pair, means, score_image, shave_for
from liif.weights.sources import DEFAULT_MODEL


def test_psnr_by_hand():
    a = np.zeros((20, 20, 3))
    assert psnr(a + 0.1, a) == pytest.approx(20.0)  # MSE 0.01
    b = a.copy()
    b[:2] = 1.0  # a wrong border, two rows thick: MSE 0.1 over the whole image, none after the shave
    assert psnr(b, a) == pytest.approx(10.0)
    assert math.isinf(psnr(b, a, shave=2))
    c = a.copy()
    c[5:15, 5:15] = 0.5  # 100 of the 144 pixels left after a 4-pixel shave
    assert psnr(c, a, shave=4) == pytest.approx(-10 * math.log10(0.25 * 100 / 144))


def test_y_channel_psnr_uses_bt601_weights():
    a = np.zeros((10, 10, 3))
    red = a.copy()
    red[..., 0] = 0.1
    assert to_y(a)[0, 0] == pytest.approx(16 / 255)
    assert to_y(np.ones((1, 1, 3)))[0, 0] == pytest.approx(235 / 255, abs=2e-3)
    assert psnr(red, a, y_only=True) == pytest.approx(-20 * math.log10(0.1 * 65.738 / 256))


def test_ssim_is_one_for_equal_images_and_lower_for_noise():
    rng = np.random.default_rng(0)
    img = rng.random((40, 40, 3))
    assert ssim(img, img) == pytest.approx(1.0)
    assert ssim(np.clip(img + rng.normal(0, 0.2, img.shape), 0, 1), img) < 0.9


def test_hr_is_cropped_to_a_multiple_of_the_scale_and_lr_is_pil_bicubic():
    rng = np.random.default_rng(1)
    hr = Image.fromarray(rng.integers(0, 256, (77, 103, 3), dtype=np.uint8))
    lr, cropped = make_pair(hr, 4)
    assert cropped.size == (100, 76) and lr.size == (25, 19)
    assert np.array_equal(np.asarray(cropped), np.asarray(hr)[:76, :100])
    assert np.array_equal(np.asarray(lr), np.asarray(cropped.resize((25, 19), Image.BICUBIC)))
    assert shave_for(4, "div2k") == 10 and shave_for(4, "benchmark") == 4


@pytest.mark.slow
def test_liif_beats_bicubic_on_a_real_photo(model):
    with Image.open(ROOT / "examples" / "forest_stream.jpg") as img:
        hr = img.convert("RGB")
    score = score_image({"LIIF": DEFAULT_MODEL}, "forest", hr, 3, with_ssim=True)
    assert score.size == (384, 255) and score.degradation == "clean" and not score.blockiness
    assert score.gain("LIIF") > 0.3
    assert score.ssim["LIIF"] > score.ssim["bicubic"]
    bench = score_image({"LIIF": DEFAULT_MODEL}, "forest", hr, 3, protocol="benchmark")
    assert bench.psnr["LIIF"] != score.psnr["LIIF"]


def test_evaluate_skips_what_it_cannot_score_and_says_why(model, tmp_path):
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)).save(tmp_path / "tiny.png")
    (tmp_path / "notes.txt").write_text("not an image")
    paths = sorted(tmp_path.iterdir())
    scores, skipped = evaluate({"LIIF": DEFAULT_MODEL}, paths, [2, 4])
    assert [(s.image, s.scale) for s in scores] == [("a.png", 2), ("a.png", 4)]
    reasons = dict(skipped)
    assert "not an image" in reasons["notes.txt"]
    assert "shave" in reasons["tiny.png x4"] and "shave" in reasons["tiny.png x2"]
    mean = means(scores)
    assert [m.scale for m in mean] == [2, 4] and mean[0].psnr == scores[0].psnr


def test_eval_command_prints_tsv_and_writes_a_plot(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    with Image.open(ROOT / "examples" / "dandelions.jpg") as img:
        img.crop((0, 0, 96, 72)).save(photos / "crop.png")
    (photos / "broken.jpg").write_bytes(b"nope")
    plot = tmp_path / "gain.png"
    done = run_cli("eval", "--images", photos, "--scales", "2,3", "--format", "tsv", "--ssim", "--plot", plot)
    assert done.returncode == 0, done.stderr
    lines = [line.split("\t") for line in done.stdout.strip().splitlines()]
    assert lines[0][:6] == ["image", "scale", "HR size", "bicubic PSNR", "LIIF PSNR", "LIIF gain dB"]
    assert [row[:2] for row in lines[1:]] == [
        ["crop.png", "x2"],
        ["crop.png", "x3"],
        ["mean of 1", "x2"],
        ["mean of 1", "x3"],
    ]
    assert float(lines[1][4]) > float(lines[1][3])
    assert "skipped broken.jpg" in done.stderr
    with Image.open(plot) as img:
        assert img.format == "PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scales", "2,x"], "comma-separated"),
        (["--scales", "0"], "at least 1"),
        (["--plot", "a.gif"], ".png or .html"),
    ],
)
def test_eval_command_refuses_bad_arguments(tmp_path, args, message):
    (tmp_path / "a.png").write_bytes(b"")
    done = run_cli("eval", "--images", tmp_path, *args)
    assert done.returncode == 2 and message in done.stderr


def test_eval_command_needs_a_folder_of_images(tmp_path):
    (tmp_path / "notes.txt").write_text("no images here")
    for args, message in [([tmp_path / "notes.txt"], "not a folder"), ([tmp_path], "no images in this folder")]:
        done = run_cli("eval", "--images", *args)
        assert done.returncode == 2 and message in done.stderr
