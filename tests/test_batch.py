"""Archives: a folder of photos on the local engine and on Ray (one machine, and a simulated two-node cluster)."""

import numpy as np
import pytest
from PIL import Image
from test_cli import run_cli

from liif.batch.jobs import read_manifest


def _folder(tmp_path, count: int = 4):
    """Small photos: colour, one with alpha, one grayscale, and a file that is not an image."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(count):
        Image.fromarray(rng.integers(0, 256, (12 + i, 16, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    rgba = rng.integers(0, 256, (10, 14, 4), dtype=np.uint8)
    rgba[..., 3] = np.linspace(0, 255, 14, dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(folder / "alpha.png")
    Image.fromarray(rng.integers(0, 256, (10, 14), dtype=np.uint8), "L").save(folder / "gray.png")
    (folder / "broken.png").write_bytes(b"not a png at all")
    return folder


def _upscale(folder, out, weights, *extra):
    return run_cli("upscale", folder, "-o", out, "--scale", "2", "--model", weights, *extra)


@pytest.mark.slow
def test_a_folder_keeps_a_manifest_resumes_and_goes_on_past_a_bad_file(tmp_path, tiny_weights):
    folder, out = _folder(tmp_path), tmp_path / "out"
    done = _upscale(folder, out, tiny_weights)
    assert done.returncode == 2 and "1 of 7 images failed" in done.stderr  # broken.png; the others are done
    records = {r.input.rsplit("/", 1)[-1]: r for r in read_manifest(out)}
    assert len(records) == 7 and records["broken.png"].error and "not an image" in records["broken.png"].error
    good = [r for r in records.values() if not r.error]
    assert all((out / r.output.rsplit("/", 1)[-1]).is_file() and r.size and r.seconds > 0 for r in good)
    assert records["p0.png"].size == [32, 24] and records["p0.png"].model == str(tiny_weights)
    (out / "p1.png").unlink()
    (out / "gray.png").unlink()
    again = _upscale(folder, out, tiny_weights)
    assert "4 of 7 outputs are already there" in again.stderr  # rendered again: the two deleted and the broken one
    second_run = read_manifest(out)[7:]
    assert sorted(r.input.rsplit("/", 1)[-1] for r in second_run) == ["broken.png", "gray.png", "p1.png"]
    assert not list(out.glob(".*partial*"))  # nothing half-written, even for the failure


@pytest.fixture()
def ray_session():
    ray = pytest.importorskip("ray")
    yield ray
    ray.shutdown()


def _pixels(path):
    with Image.open(path) as img:
        return img.mode, np.asarray(img, dtype=np.int16)


@pytest.mark.slow
def test_ray_on_this_machine_writes_what_the_local_engine_writes_and_a_rerun_skips_it(
    tmp_path, tiny_weights, ray_session
):
    folder = _folder(tmp_path)
    (folder / "broken.png").unlink()
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert _upscale(folder, local, tiny_weights).returncode == 0
    done = _upscale(folder, remote, tiny_weights, "--engine", "ray")
    assert done.returncode == 0, done.stderr[-2000:]
    records = read_manifest(remote)
    assert len(records) == 6 and {r.engine for r in records} == {"ray"} and all(r.node for r in records)
    for record in records:
        name = record.output.rsplit("/", 1)[-1]
        (mode_local, a), (mode_ray, b) = _pixels(local / name), _pixels(remote / name)
        assert mode_local == mode_ray and a.shape == b.shape and np.abs(a - b).max() <= 1  # alpha, grayscale kept
    again = _upscale(folder, remote, tiny_weights, "--engine", "ray")
    assert again.returncode == 0 and "6 of 6 outputs are already there" in again.stderr


@pytest.mark.slow
def test_a_two_node_cluster_shares_the_work(tmp_path, tiny_weights, ray_session):
    from ray.cluster_utils import Cluster

    from liif.batch.jobs import Item, Options
    from liif.batch.ray_engine import run_ray

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    try:
        cluster.wait_for_nodes()
        folder = _folder(tmp_path, count=6)
        (folder / "broken.png").unlink()
        out = tmp_path / "out"
        out.mkdir()
        items = [Item(str(p), str(out / p.name)) for p in sorted(folder.iterdir())]
        records = []
        run_ray(items, Options(scale=2, model=str(tiny_weights)), records.append, address=cluster.address)
        assert len(records) == 8 and not any(r.error for r in records)
        assert len({r.node for r in records}) == 2  # both nodes rendered
    finally:
        ray_session.shutdown()
        cluster.shutdown()
