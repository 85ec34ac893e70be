"""Weights from the Hub, against a real HTTP server on 127.0.0.1 that speaks the resolve protocol."""

import os
import subprocess
import sys
import time

import pytest
import torch
from conftest import ROOT
from fake_hub import FakeHub

import liif
from liif.weights.hub import save_folder
from liif.weights.sources import BUNDLED, PROBE_TIMEOUT, Hub, resolve

REPO = "liif-team/liif-weights"
EDSR = BUNDLED / "edsr-baseline-liif"


def edsr_files(prefix="edsr-baseline-liif/"):
    return {f"{prefix}{name}": (EDSR / name).read_bytes() for name in ("config.json", "model.safetensors")}


@pytest.fixture()
def hub():
    with FakeHub(REPO, edsr_files()) as server:
        yield server


@pytest.fixture()
def config(hub, tmp_path):
    return Hub(repo=REPO, endpoint=hub.url, cache_dir=str(tmp_path / "cache"))


def assert_bundled_with_note(found, *fragments):
    assert found.origin == "bundled" and found.path == EDSR
    assert len(found.notes) == 1 and "\n" not in found.notes[0]
    for fragment in fragments:
        assert fragment in found.notes[0]


def test_first_download_then_served_from_cache_with_no_get(hub, config, tmp_path):
    first = resolve("edsr-baseline-liif", hub=config)
    assert first.origin == "hub" and first.notes == ()
    assert str(first.path).startswith(str(tmp_path / "cache"))
    assert sorted(hub.gets()) == ["edsr-baseline-liif/config.json", "edsr-baseline-liif/model.safetensors"]
    model = liif.weights.checkpoints.load_path(first.path)
    assert all(torch.equal(v, liif.load_model().state_dict()[k]) for k, v in model.state_dict().items())

    second = resolve("edsr-baseline-liif", hub=config)
    assert second.path == first.path
    assert len(hub.gets()) == 2  # no new GET: the cache served it


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "note"), [("404", "not found"), ("500", "HTTP 500"), ("cut", "Hub repo")])
def test_faults_fall_back_to_the_bundled_weights(hub, config, fault, note):
    hub.faults["edsr-baseline-liif/model.safetensors"] = fault
    assert_bundled_with_note(resolve("edsr-baseline-liif", hub=config), REPO, note, "using the bundled")
    hub.faults.clear()
    assert resolve("edsr-baseline-liif", hub=config).origin == "hub"  # nothing bad was left in the cache


def test_wrong_hash_is_refused_and_not_cached(hub, config, tmp_path):
    hub.faults["edsr-baseline-liif/model.safetensors"] = "wrong-hash"
    assert_bundled_with_note(resolve("edsr-baseline-liif", hub=config), "does not match", "refused")
    blobs = list((tmp_path / "cache").rglob("blobs/*"))
    assert all(b.stat().st_size < 10_000 for b in blobs), "the bad weights must not stay in the cache"
    hub.faults.clear()
    assert resolve("edsr-baseline-liif", hub=config).origin == "hub"


def test_a_known_model_with_other_bytes_is_refused(tmp_path):
    other = dict(edsr_files())
    weights = bytearray(other["edsr-baseline-liif/model.safetensors"])
    weights[-1] ^= 1  # one flipped bit; the server's own sha256 ETag matches it, our known hash does not
    other["edsr-baseline-liif/model.safetensors"] = bytes(weights)
    with FakeHub(REPO, other) as server:
        found = resolve("edsr-baseline-liif", hub=Hub(REPO, endpoint=server.url, cache_dir=str(tmp_path)))
    assert_bundled_with_note(found, "does not match the expected f4ec71605")


@pytest.fixture()
def no_waiting(monkeypatch):
    """Fails a test that sleeps: the client's retry loop backs off with time.sleep between tries."""

    def refuse(seconds):
        raise AssertionError(f"slept {seconds} s: a retry loop, where the fallback must be at once")

    monkeypatch.setattr(time, "sleep", refuse)


def test_server_down_falls_back_at_once(tmp_path, no_waiting):
    with FakeHub(REPO, {}) as server:
        url = server.url
    found = resolve("edsr-baseline-liif", hub=Hub(REPO, endpoint=url, cache_dir=str(tmp_path)))
    assert_bundled_with_note(found, "unreachable")


@pytest.mark.slow
def test_a_server_that_never_answers_is_asked_once_and_given_up_on_after_the_probe(hub, config, no_waiting):
    hub.faults["edsr-baseline-liif/model.safetensors"] = "hang"
    found = resolve("edsr-baseline-liif", hub=config)
    assert_bundled_with_note(found, "unreachable")
    assert hub.requests == [("HEAD", "edsr-baseline-liif/model.safetensors")]  # one probe, no retries
    assert PROBE_TIMEOUT <= 3  # what the probe waits: the whole fallback stays within seconds


def test_offline_mode_uses_the_cache_and_never_the_network(hub, config):
    from dataclasses import replace

    offline = replace(config, offline=True)
    assert_bundled_with_note(resolve("edsr-baseline-liif", hub=offline), "HF_HUB_OFFLINE")
    assert hub.requests == []
    resolve("edsr-baseline-liif", hub=config)
    seen = len(hub.requests)
    found = resolve("edsr-baseline-liif", hub=offline)
    assert found.origin == "hub cache" and found.notes == ()
    assert len(hub.requests) == seen


def test_the_cache_serves_when_the_server_is_gone_later(tmp_path):
    with FakeHub(REPO, edsr_files()) as server:
        config = Hub(REPO, endpoint=server.url, cache_dir=str(tmp_path))
        first = resolve("edsr-baseline-liif", hub=config)
    later = resolve("edsr-baseline-liif", hub=config)
    assert later.origin == "hub cache" and later.path == first.path


def test_rdn_comes_from_the_hub_and_says_how_to_provide_it_otherwise(tmp_path):
    spec = {"name": "mlp", "args": {"out_dim": 3, "hidden_list": [256, 256, 256, 256]}}
    rdn = liif.LIIF({"name": "rdn", "args": {"no_upsampling": True}}, spec)
    save_folder(rdn, tmp_path / "rdn")
    files = {f"rdn-liif/{p.name}": p.read_bytes() for p in (tmp_path / "rdn").iterdir() if p.name != "README.md"}
    with FakeHub(REPO, files) as server:
        config = Hub(REPO, endpoint=server.url, cache_dir=str(tmp_path / "cache"))
        found = resolve("rdn-liif", hub=config)
        assert found.origin == "hub"
        assert type(liif.weights.checkpoints.load_path(found.path).encoder).__name__ == "RDN"
        server.faults["rdn-liif/model.safetensors"] = "404"
        with pytest.raises(liif.WeightsError, match=r"rdn-liif\.pth") as info:
            resolve("rdn-liif", hub=Hub(REPO, endpoint=server.url, cache_dir=str(tmp_path / "other")))
    assert "not found" in str(info.value) and "LIIF_HUB_REPO" in str(info.value)


def test_an_explicit_repo_id_with_revision(tmp_path):
    with FakeHub("someone/my-liif", edsr_files(prefix="")) as server:
        found = resolve("someone/my-liif@v1", hub=Hub(endpoint=server.url, cache_dir=str(tmp_path)))
    assert found.origin == "hub"
    assert (found.path / "model.safetensors").is_file()


@pytest.mark.slow
def test_env_variables_set_before_import_drive_the_cli(hub, tmp_path):
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_HUB_CACHE": str(tmp_path / "cache"),
        "LIIF_HUB_REPO": REPO,
        "LIIF_HUB_REVISION": "main",
    }
    done = subprocess.run(
        [sys.executable, "-m", "liif", "weights", "fetch"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(tmp_path / "cache"))
    assert done.stderr == ""
    env["HF_HUB_OFFLINE"] = "1"
    env["HF_HUB_CACHE"] = str(tmp_path / "empty")
    done = subprocess.run(
        [sys.executable, "-m", "liif", "weights", "fetch"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == str(EDSR)
    assert done.stderr.count("\n") == 1 and "using the bundled" in done.stderr


@pytest.mark.slow
def test_a_malicious_checkpoint_is_refused_by_the_cli(tmp_path):
    class RunsCode:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'PWNED'}",))

    evil = tmp_path / "evil.pth"
    torch.save({"model": {"name": "liif", "args": {}, "sd": {}}, "x": RunsCode()}, evil)
    done = subprocess.run(
        [sys.executable, "-m", "liif", "weights", "export", str(evil), "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and "refused" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "out").exists()
