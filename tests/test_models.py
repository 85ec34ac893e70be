"""Architectures, checkpoint formats, strict keys and safe loading."""

import json
import pickle
import re

import pytest
import torch
import torch.nn.functional as F
from conftest import REFERENCE, SHARED, max_diff, random_image

import liif
from liif.weights.checkpoints import load_path
from liif.weights.export import export

OFFICIAL_PTH = SHARED / "weights" / "edsr-baseline-liif.pth"


def _keys(name):
    return json.loads((REFERENCE / f"{name}.keys.json").read_text())


def _shapes(model):
    return {key: list(value.shape) for key, value in model.state_dict().items()}


@pytest.mark.parametrize("name", ["edsr-baseline-liif", "rdn-liif"])
def test_architecture_has_exactly_the_official_keys(name):
    spec = _keys(name)["model"]["args"]
    assert _shapes(liif.LIIF(**spec)) == _keys(name)["state_dict"]


def _write_official(path, spec, state_dict):
    torch.save({"model": {"name": "liif", "args": spec, "sd": state_dict}, "epoch": 1}, path)


@pytest.fixture(scope="module")
def rdn_checkpoint(tmp_path_factory):
    """A checkpoint in the official layout, with the official RDN-LIIF keys and random weights."""
    torch.manual_seed(0)
    keys = _keys("rdn-liif")
    state_dict = {key: torch.randn(shape) * 0.02 for key, shape in keys["state_dict"].items()}
    path = tmp_path_factory.mktemp("rdn") / "rdn-liif.pth"
    _write_official(path, keys["model"]["args"], state_dict)
    return path, state_dict


def _rdn_features(sd, x):
    """RDN (config B) written out with plain convolutions, straight from LIIF.md."""

    def conv(t, name, pad):
        return F.conv2d(t, sd[f"encoder.{name}.weight"], sd[f"encoder.{name}.bias"], padding=pad)

    shallow = conv(x, "SFENet1", 1)
    t = conv(shallow, "SFENet2", 1)
    outs = []
    for b in range(16):
        dense = t
        for layer in range(8):
            dense = torch.cat([dense, F.relu(conv(dense, f"RDBs.{b}.convs.{layer}.conv.0", 1))], 1)
        t = conv(dense, f"RDBs.{b}.LFF", 0) + t
        outs.append(t)
    return conv(conv(torch.cat(outs, 1), "GFF.0", 0), "GFF.1", 1) + shallow


def test_rdn_checkpoint_loads_strictly_and_computes_rdn(rdn_checkpoint):
    path, state_dict = rdn_checkpoint
    model = load_path(path)
    assert sum(p.numel() for p in model.parameters()) == 22_320_835
    image = random_image(9, 11)
    grid = liif.encode(model, image, precision="exact")
    expected = _rdn_features(state_dict, ((image - 0.5) / 0.5)[None])[0]
    assert max_diff(grid.features, expected) <= 1e-4 * float(expected.abs().max())
    fast = liif.render(model, grid, 23, 17, precision="exact")
    assert max_diff(fast, liif.reference_render(model, grid, 23, 17)) <= 1e-5


@pytest.mark.shared
def test_bundled_weights_equal_the_official_checkpoint():
    bundled = liif.load_model().state_dict()
    official = torch.load(OFFICIAL_PTH, map_location="cpu", weights_only=True)["model"]["sd"]
    assert bundled.keys() == official.keys()
    assert all(torch.equal(bundled[k], official[k]) for k in official)


@pytest.mark.shared
def test_edsr_mean_shift_is_loaded_but_not_applied():
    model = load_path(OFFICIAL_PTH)
    image = random_image(8, 8)
    before = liif.encode(model, image).features
    with torch.no_grad():
        model.encoder.sub_mean.weight.mul_(3.0)
        model.encoder.add_mean.bias.add_(1.0)
    assert torch.equal(liif.encode(model, image).features, before)


@pytest.fixture()
def official_parts():
    ckpt = torch.load(OFFICIAL_PTH, map_location="cpu", weights_only=True)["model"]
    return ckpt["args"], dict(ckpt["sd"])


@pytest.mark.shared
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda sd: sd.pop("encoder.body.3.body.2.weight"), "missing key 'encoder.body.3.body.2.weight'"),
        (lambda sd: sd.update({"imnet.layers.2.bias": torch.zeros(255)}), "key 'imnet.layers.2.bias' has shape [255]"),
        (lambda sd: sd.update({"encoder.tail.0.weight": torch.zeros(1)}), "unexpected key 'encoder.tail.0.weight'"),
    ],
)
def test_bad_keys_name_the_first_offending_key(tmp_path, official_parts, change, message):
    spec, state_dict = official_parts
    change(state_dict)
    path = tmp_path / "bad.pth"
    _write_official(path, spec, state_dict)
    with pytest.raises(liif.WeightsError, match=re.escape(message)):
        load_path(path)


class _RunsCode:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('x')",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pth"
    torch.save({"model": {"name": "liif", "args": {}, "sd": {}}, "payload": _RunsCode()}, path)
    with pytest.raises(liif.WeightsError, match="refused"):
        load_path(path)
    assert not (tmp_path / "PWNED").exists()
    path.write_bytes(pickle.dumps(_RunsCode()))
    with pytest.raises(liif.WeightsError):
        load_path(path)
    assert not (tmp_path / "PWNED").exists()


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.pth"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(liif.WeightsError, match="not a readable PyTorch checkpoint"):
        load_path(path)
    torch.save({"weights": torch.zeros(1)}, path)
    with pytest.raises(liif.WeightsError, match="not an official LIIF checkpoint"):
        load_path(path)


@pytest.mark.shared
def test_export_writes_a_hub_folder_that_loads_identically(tmp_path):
    out = export(liif.resolve(str(OFFICIAL_PTH)), tmp_path / "hub")
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "README.md", "LICENSE"}
    card = (out / "README.md").read_text()
    assert "bsd-3-clause" in card and "2012.09161" in card and "1cf77e16f33ee17b" in card
    from liif.weights.digests import sha256_file

    assert sha256_file(out / "model.safetensors") in card
    exported = load_path(out).state_dict()
    official = load_path(OFFICIAL_PTH).state_dict()
    assert all(torch.equal(exported[k], official[k]) for k in official)
    bare = load_path(out / "model.safetensors")
    assert all(torch.equal(bare.state_dict()[k], official[k]) for k in official)
    with pytest.raises(liif.WeightsError, match="not an empty folder"):
        export(liif.resolve(str(OFFICIAL_PTH)), out)


def test_hub_folder_missing_a_file_is_named(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(liif.WeightsError, match=re.escape("model.safetensors is missing")):
        load_path(tmp_path)


def test_unknown_names_and_missing_rdn_say_what_to_do():
    with pytest.raises(liif.WeightsError, match="neither a model name"):
        liif.resolve("no-such-model")
    with pytest.raises(liif.WeightsError, match=re.escape("rdn-liif.pth")):
        liif.resolve("rdn-liif")
