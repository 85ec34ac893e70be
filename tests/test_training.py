"""The fine-tuning for real photos: its pairs, its fast forward against the paper-faithful one, resuming, and the
export the app loads. The photos are stand-ins (the listed ones are fetched only to train)."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

import liif
from liif.core.grid import encode
from liif.core.reference import reference_query
from liif.errors import LiifError
from liif.weights.sources import DEFAULT_MODEL, load_model
from training import card, data
from training.forward import predict
from training.loop import Settings, batch_at, train
from training.patches import PATCH, QUERIES, make_pair


@pytest.fixture(scope="module")
def photos() -> list[np.ndarray]:
    """Two textured stand-ins of different sizes."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:260, 0:330]
    waves = np.stack([np.sin(x / 5.0), np.cos(y / 7.0), np.sin((x + y) / 3.0)], axis=2)
    smooth = np.clip(127.5 + 90 * waves + rng.normal(0, 4, waves.shape), 0, 255).astype(np.uint8)
    return [smooth, rng.integers(0, 256, (200, 240, 3), dtype=np.uint8)]


def _model() -> liif.LIIF:
    return load_model(DEFAULT_MODEL).to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]


def test_a_pair_is_a_patch_and_the_true_colours_at_points_inside_it(monkeypatch):
    """The targets lie where their coordinates say: the patch, interpolated at them, comes close to the colours
    (far closer than half a patch pixel away), on clean shrinks of a smooth photo at every scale drawn."""
    monkeypatch.setattr("training.patches.CLEAN_SHARE", 1.0)
    y, x = np.mgrid[0:300, 0:300]
    smooth = np.stack([np.sin(x / 11.0), np.cos(y / 13.0), np.sin((x - y) / 17.0)], axis=2)
    photo = np.round(127.5 + 100 * smooth).astype(np.uint8)
    rng = np.random.default_rng(1)
    for _ in range(6):
        pair = make_pair(photo, rng)
        assert pair.patch.shape == (3, PATCH, PATCH) and pair.rgb.shape == (QUERIES, 3) and pair.chain == "clean"
        assert pair.coords.abs().max() <= 1 and pair.rgb.min() >= 0 and pair.rgb.max() <= 1
        assert 1 <= 2 / (PATCH * float(pair.cell[0])) <= 4.0 + 1e-6  # a cell of a x1 to x4 enlargement

        def error(shift: float, pair=pair) -> float:
            points = (pair.coords + shift * 2 / PATCH).flip(-1)[None, None]  # grid_sample takes (x, y)
            sampled = F.grid_sample(pair.patch[None], points, mode="bicubic", align_corners=False)[0, :, 0].T
            return float((sampled - pair.rgb).abs().mean())

        assert error(0.0) < 0.5 * error(0.5)


def test_a_step_draws_the_same_patches_whenever_it_runs(photos):
    """A resumed run draws exactly what an unbroken one would: step n's patches depend on (seed, n) only."""
    weights = np.array([0.5, 0.5])
    first, again = batch_at(photos, weights, 7, 12, 2), batch_at(photos, weights, 7, 12, 2)
    other = batch_at(photos, weights, 7, 13, 2)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[0], other[0])


def test_the_training_forward_is_the_papers_query(photos):
    """The convolution-first forward the run trains through gives the official query's colours (fp32: 1e-5)."""
    model = _model().eval()
    pair = make_pair(photos[0], np.random.default_rng(2))
    with torch.no_grad():
        fast = predict(model, pair.patch[None], pair.coords[None], pair.cell[None])[0] * 0.5 + 0.5
        grid = encode(model, pair.patch, precision="exact")
        official = reference_query(model, grid, pair.coords, (float(pair.cell[0]), float(pair.cell[1])))
    assert torch.allclose(fast, official, atol=1e-5)


def test_a_resumed_run_ends_where_an_unbroken_one_does(photos, tmp_path):
    settings = Settings(seed=3, steps=3, batch=1, checkpoint_every=1)
    unbroken = _model()
    assert train(unbroken, photos, tmp_path / "unbroken", settings) == 3
    resumed = _model()
    assert train(resumed, photos, tmp_path / "resumed", settings, until=2) == 2
    assert train(_model(), photos, tmp_path / "resumed", settings) == 3  # a new process: from the checkpoint
    state = torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)
    for key, value in unbroken.state_dict().items():
        assert torch.allclose(state["model"][key], value, atol=1e-6), key
    log = (tmp_path / "resumed" / "log.csv").read_text().splitlines()
    assert log[0] == "step,loss,lr,seconds" and [row.split(",")[0] for row in log[1:]] == ["1", "2", "3"]
    with pytest.raises(LiifError, match="other settings"):
        train(_model(), photos, tmp_path / "resumed", Settings(seed=4, steps=3, batch=1))


def test_the_export_is_a_hub_folder_with_its_card_that_loads_safely(photos, tmp_path):
    run = tmp_path / "run"
    trained = _model()
    train(trained, photos, run, Settings(seed=0, steps=1, batch=1))
    (run / "evaluation.md").write_text("| input | bicubic |\n|---|---|\n| jpeg:75 | 27.00 |\n")
    out = card.export(run, tmp_path / "model")
    assert sorted(p.name for p in out.iterdir()) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    text = (out / "README.md").read_text()
    _, listed = data.photo_list()
    assert all(p.file in text and p.licence in text for p in listed)  # every photo with its licence
    assert "| jpeg:75 | 27.00 |" in text and "Steps: 1," in text
    assert json.loads((out / "config.json").read_text())["encoder_spec"]["name"] == "edsr-baseline"
    loaded = liif.load_model(str(out))  # the same path as every other checkpoint: safetensors, no pickle
    weights = load_file(out / "model.safetensors")
    for key, value in trained.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value) and key in weights
    with pytest.raises(LiifError, match="not an empty folder"):
        card.export(run, out)


def test_a_photo_that_is_not_the_listed_file_is_refused(tmp_path):
    _, listed = data.photo_list()
    for photo in listed:
        (tmp_path / photo.file).write_bytes(b"not the photo")
    with pytest.raises(LiifError, match="is not the listed"):
        data.fetch(tmp_path)
