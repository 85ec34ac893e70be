"""Photos as people have them: degradations for the evaluation, what a photo is, and the model chosen for it."""

import io

import numpy as np
import pytest
import torch
from conftest import ROOT
from PIL import Image, JpegImagePlugin
from test_cli import run_cli

import liif
from liif.core.metrics import blockiness
from liif.errors import LiifError
from liif.io.degrade import CLEAN, Blur, Chain, Chroma, Jpeg, Noise, Poisson, parse_chains
from liif.pipeline.condition import PAPER_MODEL, REAL_MODEL, PhotoChoice, examine, model_for, noise_level, reason
from liif.weights.sources import BUNDLED, REAL_PHOTOS_MODEL, resolve

# The JPEG standard's luminance table (ITU T.81, Annex K.1), in natural order, and libjpeg's quality scaling.
ANNEX_K_LUMA = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]  # fmt: skip


def libjpeg_table(quality: int) -> list[int]:
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, int((v * scale + 50) // 100))) for v in ANNEX_K_LUMA]


@pytest.fixture(scope="module")
def scene() -> Image.Image:
    """A 160x120 shrink of an example photo: what a small old JPEG was made from."""
    with Image.open(ROOT / "examples" / "forest_stream.jpg") as img:
        return img.convert("RGB").resize((160, 120), Image.Resampling.BICUBIC)


@pytest.mark.parametrize("quality", [35, 40, 75, 95])
def test_a_jpeg_step_writes_the_tables_of_its_quality(scene, quality):
    image = Jpeg(quality)(scene, np.random.default_rng(0))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == scene.size
    assert list(image.quantization[0]) == libjpeg_table(quality)
    assert JpegImagePlugin.get_sampling(image) == 2  # 4:2:0
    full = Jpeg(quality, Chroma.FULL_444)(scene, np.random.default_rng(0))
    assert JpegImagePlugin.get_sampling(full) == 0  # 4:4:4


def test_the_noise_estimate_reads_pure_noise_at_its_sigma():
    generator = torch.Generator().manual_seed(0)
    for sigma in (3, 5, 10, 15):
        noisy = (0.5 + torch.randn(3, 256, 256, generator=generator) * sigma / 255).clamp(0, 1)
        assert noise_level((noisy * 255).round() / 255) == pytest.approx(sigma, rel=0.05)


def test_noise_has_the_sigma_asked_for():
    flat = Image.new("RGB", (256, 256), (128, 128, 128))
    noisy = np.asarray(Noise(8)(flat, np.random.default_rng(1)), dtype=np.float64)
    assert noisy.std() == pytest.approx(8, rel=0.03) and noisy.mean() == pytest.approx(128, abs=0.2)
    shot = np.asarray(Poisson(30)(flat, np.random.default_rng(2)), dtype=np.float64)  # variance = level * 255 / 30
    assert shot.std() == pytest.approx(np.sqrt(128 * 255 / 30), rel=0.05)
    edge = Image.fromarray(np.repeat(np.where(np.arange(64) < 32, 0, 255).astype(np.uint8)[None], 64, 0))
    blurred = np.asarray(Blur(2)(edge.convert("RGB"), np.random.default_rng(0)))[..., 0].astype(int)
    assert np.abs(np.diff(blurred[32])).max() < 80  # a 255-level step spread over pixels


def test_degradations_are_written_as_the_cli_takes_them():
    chains = parse_chains("clean, jpeg:40, noise:5+jpeg444:75, poisson:30+blur:0.8")
    assert chains == [
        CLEAN, Chain((Jpeg(40),)), Chain((Noise(5), Jpeg(75, Chroma.FULL_444))), Chain((Poisson(30), Blur(0.8)))
    ]  # fmt: skip
    assert [str(c) for c in chains] == ["clean", "jpeg:40", "noise:5+jpeg444:75", "poisson:30+blur:0.8"]
    for bad, message in [("jpeg:x", "not a number"), ("jpeg:101", "from 1 to 100"), ("jpeg:40.5", "whole number"),
                         ("sharpen:2", "unknown degradation"), (",", "names no degradation")]:  # fmt: skip
        with pytest.raises(LiifError, match=message):
            parse_chains(bad)


def test_blockiness_sees_the_jpeg_grid(scene):
    floats = lambda image: np.asarray(image, dtype=np.float32) / 255  # noqa: E731
    rng = np.random.default_rng(0)
    clean, q40 = blockiness(floats(scene)), blockiness(floats(Jpeg(40)(scene, rng)))
    assert 0.85 < clean < 1.15 and q40 > clean + 0.25
    enlarged = Jpeg(40)(scene, rng).resize((480, 360), Image.Resampling.NEAREST)
    assert blockiness(floats(enlarged), 24) > 2  # the grid of a x3 enlargement is every 24 pixels


def _saved(image: Image.Image, **options) -> liif.Picture:
    out = io.BytesIO()
    image.save(out, **options)
    return liif.load_picture(out.getvalue())


@pytest.mark.parametrize("quality", [30, 40, 60, 75, 85, 95])
def test_a_jpeg_files_quality_is_read_off_its_tables(scene, quality):
    picture = _saved(scene, format="JPEG", quality=quality)
    condition = examine(picture.rgb, picture.jpeg_tables)
    assert condition.jpeg_quality == quality
    assert condition.compressed == (quality < 90) and model_for(condition) == (
        REAL_MODEL if quality < 90 else PAPER_MODEL
    )


def test_clean_noisy_and_once_compressed_pngs_are_told_apart(scene):
    clean = examine(_saved(scene, format="PNG").rgb)
    assert clean.jpeg_quality is None and not clean.real and model_for(clean) == PAPER_MODEL
    assert not clean.noisy and "clean" in clean.describe()  # a leafy photo: texture everywhere, no noise
    noisy = examine(_saved(Noise(10)(scene, np.random.default_rng(3)), format="PNG").rgb)
    assert noisy.noisy and noisy.noise == pytest.approx(10, rel=0.25) and model_for(noisy) == REAL_MODEL  # texture adds
    assert f"noisy (about {noisy.noise:.0f} levels of 255)" in noisy.describe()
    once = examine(_saved(Jpeg(25)(scene, np.random.default_rng(0)), format="PNG").rgb)
    assert once.jpeg_quality is None and once.compressed and "once a JPEG" in once.describe()


def test_the_choice_can_be_overridden_and_is_said_in_words(scene):
    picture = _saved(scene, format="JPEG", quality=40)
    condition = examine(picture.rgb, picture.jpeg_tables)
    assert (
        model_for(condition, PhotoChoice.CLEAN) == PAPER_MODEL and model_for(condition, PhotoChoice.REAL) == REAL_MODEL
    )
    said = reason(condition, REAL_MODEL)
    assert said.startswith("This photo is a JPEG at about quality 40: using LIIF for real photos, which removes the")
    assert reason(condition, PAPER_MODEL, PhotoChoice.CLEAN).endswith("using the paper's LIIF, as chosen.")


def test_the_real_photo_model_is_bundled_and_loads_through_the_same_safe_path():
    found = resolve(REAL_PHOTOS_MODEL)
    assert found.origin == "bundled" and found.path == BUNDLED / REAL_PHOTOS_MODEL
    assert sorted(p.name for p in found.path.iterdir()) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    real, paper = found.load(), liif.load_model()
    assert real.spec == paper.spec  # the paper's architecture, fine-tuned
    differs = [k for k, v in real.state_dict().items() if not torch.equal(v, paper.state_dict()[k])]
    assert len(differs) > 30  # trained: encoder and MLP weights moved
    card = (found.path / "README.md").read_text()
    assert "CC-BY-4.0" in card and "held-out" in card and "python -m training run" in card


@pytest.mark.slow
def test_the_cli_chooses_by_the_photo_and_says_so(scene, tmp_path):
    jpeg, png = tmp_path / "old.jpg", tmp_path / "clean.png"
    scene.save(jpeg, quality=35)
    scene.save(png)
    done = run_cli("upscale", jpeg, "-o", tmp_path / "a.png", "--scale", "2")
    assert (
        done.returncode == 0 and "This photo is a JPEG at about quality 35: using LIIF for real photos" in done.stderr
    )
    done = run_cli("upscale", png, "-o", tmp_path / "b.png", "--scale", "2")
    assert done.returncode == 0 and "This photo" not in done.stderr  # clean: the paper's LIIF, nothing to say
    done = run_cli("upscale", jpeg, "-o", tmp_path / "c.png", "--scale", "2", "--photo", "clean")
    assert done.returncode == 0 and "using the paper's LIIF, as chosen" in done.stderr
    a, c = (np.asarray(Image.open(tmp_path / name), dtype=int) for name in ("a.png", "c.png"))
    assert np.abs(a - c).mean() > 0.5  # another model drew it
    done = run_cli("upscale", jpeg, "-o", tmp_path / "d.png", "--scale", "2", "--photo", "real", "--model", PAPER_MODEL)
    assert done.returncode == 2 and "with --model, leave it out" in done.stderr


@pytest.mark.slow
def test_eval_scores_degraded_photos_side_by_side_with_blockiness(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    with Image.open(ROOT / "examples" / "dandelions.jpg") as img:
        img.convert("RGB").crop((0, 0, 144, 96)).save(photos / "crop.png")
    models = f"{PAPER_MODEL},auto"
    done = run_cli("eval", "--images", photos, "--scales", "3", "--degrade", "clean,jpeg:40", "--model", models,
                   "--format", "tsv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.strip().splitlines()]
    header = rows[0]
    assert header[:5] == ["image", "scale", "HR size", "degradation", "bicubic PSNR"]
    assert f"{PAPER_MODEL} PSNR" in header and "auto PSNR" in header and "bicubic blockiness" in header
    by_case = {row[3]: dict(zip(header, row, strict=False)) for row in rows[1:3]}
    assert set(by_case) == {"clean", "jpeg:40"}
    clean, jpeg = by_case["clean"], by_case["jpeg:40"]
    assert clean["auto PSNR"] == clean[f"{PAPER_MODEL} PSNR"]  # a clean PNG keeps the paper's model
    assert jpeg["auto PSNR"] != jpeg[f"{PAPER_MODEL} PSNR"] and clean["bicubic blockiness"] == ""


def test_liif_plus_leaves_back_projection_out_for_a_compressed_photo(scene):
    from liif import pipeline
    from liif.pipeline import Quality

    jpeg, clean = _saved(scene, format="JPEG", quality=40), _saved(scene, format="PNG")
    compressed = pipeline.check(jpeg, 320, 240, quality=Quality.PLUS)
    assert not compressed.back_project and any("not back-projected" in n for n in compressed.notes)
    assert pipeline.check(clean, 320, 240, quality=Quality.PLUS).back_project
    assert pipeline.check(jpeg, 320, 240).back_project  # standard LIIF has no such step to leave out
