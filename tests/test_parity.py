"""Our outputs against the official LIIF code's (tests/reference, a copy of ../shared/reference), through the API
and the CLI."""

import numpy as np
import pytest
import torch
from conftest import REFERENCE, max_diff, reference_input
from test_cli import run_cli

import liif

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited

RENDERS = [("coffee_437x291", 437, 291), ("chelsea_stretch_640x96", 640, 96)]
TOLERANCE = 1e-4


@pytest.mark.parametrize(("name", "width", "height"), RENDERS)
def test_fast_render_matches_official(model, name, width, height):
    grid = liif.encode(model, reference_input(f"{name}_input.png"), precision="exact")
    official = np.load(REFERENCE / f"{name}_official.npy")
    ours = liif.render(model, grid, width, height, precision="exact").numpy()
    assert ours.shape == official.shape == (height, width, 3)
    assert max_diff(ours, official) <= TOLERANCE


# The reference decode is slow (it unfolds the whole map); one render plus the 2,000 points below suffice.
@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "height"), RENDERS[1:])
def test_reference_render_matches_official(model, name, width, height):
    grid = liif.encode(model, reference_input(f"{name}_input.png"), precision="exact")
    official = np.load(REFERENCE / f"{name}_official.npy")
    assert max_diff(liif.reference_render(model, grid, width, height), official) <= TOLERANCE


def _official_points():
    data = np.load(REFERENCE / "coffee_points_official.npz")
    cells = data["cell_yx"]
    assert np.all(cells == cells[0]), "the reference uses one cell size for every point"
    return torch.from_numpy(data["coord_yx"].copy()), tuple(float(v) for v in cells[0]), data["rgb"]


@pytest.mark.parametrize("query", [liif.query_points, liif.reference_query])
def test_continuous_points_match_official(model, query):
    coords, cell, official = _official_points()
    grid = liif.encode(model, reference_input("coffee_437x291_input.png"), precision="exact")
    ours = query(model, grid, coords, cell, **({"precision": "exact"} if query is liif.query_points else {}))
    assert ours.shape == (2000, 3)
    assert max_diff(ours, official) <= TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "height"), RENDERS)
def test_cli_npy_matches_official(tmp_path, name, width, height):
    out = tmp_path / "out.npy"
    done = run_cli(
        "upscale", REFERENCE / f"{name}_input.png", "-o", out, "--size", f"{width}x{height}", "--precision", "exact"
    )
    assert done.returncode == 0, done.stderr
    ours = np.load(out)
    assert ours.dtype == np.float32 and ours.shape == (height, width, 3)
    assert max_diff(ours, np.load(REFERENCE / f"{name}_official.npy")) <= TOLERANCE
