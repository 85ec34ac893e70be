"""The rendering engine: windows, points, tiling, precision, progress."""

import copy
import itertools
import os
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, assert_same_pixels, max_diff, random_image

import liif
from liif.core.coords import grid_points, pixel_centres, render_cell
from liif.core.grid import encode
from liif.weights.sources import load_model

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited


@pytest.fixture(scope="module")
def grid(model):
    return liif.encode(model, random_image(15, 20, seed=7))


@pytest.mark.parametrize("box", [(0, 0, 1, 1), (10, 5, 43, 29), (0, 60, 90, 70), (89, 0, 90, 70), (0, 0, 90, 70)])
def test_a_window_is_the_crop_of_the_full_render(model, grid, box):
    full = liif.render(model, grid, 90, 70, precision="exact")
    left, top, right, bottom = box
    window = liif.render(model, grid, 90, 70, box=box, precision="exact")
    assert window.shape == (bottom - top, right - left, 3)
    assert max_diff(window, full[top:bottom, left:right]) <= 1e-6


def test_a_window_of_a_x30_output_needs_no_full_render(model):
    small = liif.encode(model, random_image(30, 40, seed=2))
    width, height = 1200, 900  # x30; the window below is checked point by point against the reference
    box = (517, 402, 581, 450)
    window = liif.render(model, small, width, height, box=box, precision="exact")
    left, top, right, bottom = box
    coords = grid_points(pixel_centres(height, top, bottom), pixel_centres(width, left, right))
    expected = liif.reference_query(model, small, coords, render_cell(height, width)).clamp(0, 1)
    assert max_diff(window.reshape(-1, 3), expected) <= 1e-5


def test_bad_windows_are_refused(model, grid):
    for box in [(0, 0, 0, 5), (5, 5, 3, 8), (0, 0, 91, 70), (-1, 0, 5, 5)]:
        with pytest.raises(ValueError, match="window"):
            liif.render(model, grid, 90, 70, box=box)


def test_tiled_encoding_equals_one_pass(model):
    image = random_image(70, 97, seed=4)
    whole = encode(model, image, tile=1000)
    tiled = encode(model, image, tile=32)
    assert max_diff(tiled.features, whole.features) <= 1e-4


def _measured_radius(encoder, length):
    """How far (in pixels) one input pixel reaches in the encoder's output, along a 1-pixel strip.

    All weights are set to 1 and biases to 0 and the input is zero but for one pixel, so every path
    from that pixel stays positive (ReLU never hides it) and reach is exact, overflow to inf included.
    """
    probe = copy.deepcopy(encoder)
    with torch.no_grad():
        for name, param in probe.named_parameters():
            param.fill_(1.0 if name.endswith("weight") else 0.0)
    x = torch.zeros(1, 3, 1, length)
    centre = length // 2
    x[..., centre] = 1.0
    with torch.inference_mode():
        reached = (probe(x) != 0).any(dim=1)[0, 0].nonzero().flatten()
    return int(max(centre - reached.min(), reached.max() - centre))


def _random_model(encoder):
    torch.manual_seed(1)
    spec = {"name": "mlp", "args": {"out_dim": 3, "hidden_list": [256, 256, 256, 256]}}
    return liif.LIIF({"name": encoder, "args": {"no_upsampling": True}}, spec).eval()


@pytest.fixture(scope="module")
def rdn():
    return _random_model("rdn")


def test_receptive_radius_is_what_the_tiles_overlap_by(rdn):
    edsr = _random_model("edsr-baseline")
    assert edsr.encoder.receptive_radius == _measured_radius(edsr.encoder, 101) == 34
    assert rdn.encoder.receptive_radius == _measured_radius(rdn.encoder, 301) == 131


@pytest.mark.slow
def test_rdn_tiled_encoding_equals_one_pass(rdn):
    image = random_image(4, 600, seed=9)
    whole = encode(rdn, image, tile=1000)
    tiled = encode(rdn, image, tile=128)
    scale = float(whole.features.abs().max())
    assert max_diff(tiled.features, whole.features) <= 1e-5 * scale


def test_tile_progress_is_reported(model):
    seen = []
    encode(model, random_image(40, 70), tile=32, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 6) for i in range(1, 7)]


def test_bf16_stays_close_to_fp32(model, grid):
    fp32 = liif.render(model, grid, 50, 40, precision="exact")
    bf16 = liif.render(model, grid, 50, 40, precision="bf16")
    mse = float(((fp32 - bf16) ** 2).mean())
    assert max_diff(fp32, bf16) <= 0.05
    assert 10 * torch.log10(torch.tensor(1 / mse)) >= 40  # PSNR of bf16 against fp32, in dB


@pytest.mark.parametrize(
    ("capability", "flags", "auto", "reason"),
    [
        ("AVX512", {"avx2", "avx512f", "avx512_bf16"}, "bf16", "runs bf16 natively"),
        ("AVX512", {"avx2", "amx_bf16", "amx_tile"}, "bf16", "runs bf16 natively"),
        ("AVX2", {"avx2", "avx512f", "avx512_bf16"}, "int8", "int8 hidden layers (AVX2)"),  # limited to AVX2
        ("AVX512", {"avx2", "avx512f", "avx512_vnni"}, "int8", "int8 hidden layers (AVX512)"),
        ("AVX2", {"avx2"}, "int8", "no native bf16"),
        ("DEFAULT", {"avx2"}, "fp32", "neither native bf16 nor int8"),
        ("DEFAULT", set(), "fp32", "neither native bf16 nor int8"),
    ],
)
def test_auto_picks_the_fastest_arithmetic_torch_runs_here(monkeypatch, capability, flags, auto, reason):
    from liif.core import hardware
    from liif.core.query import compute_dtype

    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(hardware, "cpu_capability", lambda: capability)
    cpu = torch.device("cpu")
    chosen = hardware.choose_precision("auto", cpu)
    assert chosen.compute == auto and reason in chosen.why
    assert compute_dtype("auto", cpu) == (torch.bfloat16 if auto == "bf16" else torch.float32)
    assert hardware.choose_precision("exact", cpu).compute == "fp32"  # exact never depends on the machine
    assert compute_dtype("exact", cpu) == torch.float32
    assert hardware.choose_precision("bf16", cpu).compute == "bf16"
    assert ("emulated" in hardware.choose_precision("bf16", cpu).why) == (auto != "bf16")
    assert hardware.choose_precision("int8", cpu).compute == ("fp32" if capability == "DEFAULT" else "int8")


@pytest.mark.parametrize(
    ("capability", "flags", "compute"),
    [("AVX512", {"avx2", "avx512f", "amx_bf16", "amx_tile"}, "bf16"), ("AVX2", {"avx2"}, "int8")],
)
def test_auto_feeds_each_kind_of_cpu_the_rows_its_kernels_need(model, grid, monkeypatch, capability, flags, compute):
    """With native bf16 (AMX here only pretended: bf16 is emulated on a CPU without it) or int8, auto runs the
    hidden layers on its own chunk of rows, and the render stays its precision's distance from exact."""
    from liif.core import hardware, query

    if compute == "int8" and not hardware.int8_kernels(torch.device("cpu")):
        pytest.skip("torch runs no int8 kernels here")
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(hardware, "cpu_capability", lambda: capability)
    rows, tail = [], query._mlp_tail
    monkeypatch.setattr(query, "_mlp_tail", lambda first, dec: rows.append(first.shape[0]) or tail(first, dec))
    auto = liif.render(model, grid, 90, 70)
    assert max(rows) == 4 * query.CHUNKS[compute] and query.CHUNKS[compute] > query.CHUNKS["fp32"]
    assert_same_pixels(auto, liif.render(model, grid, 90, 70, precision="exact"), compute)
    window = liif.render(model, grid, 90, 70, box=(61, 40, 90, 70))
    assert_same_pixels(window, auto[40:, 61:], compute)


@pytest.mark.parametrize(("capability", "auto"), [("avx2", "int8"), ("default", "fp32")])
def test_auto_follows_the_kernel_set_the_environment_allows(capability, auto):
    # ATEN_CPU_CAPABILITY limits the kernels torch dispatches to (the four variables make any CPU
    # run as an AVX2-only one); auto must choose from what torch will really run, not from the CPU's flags.
    code = "import torch, liif.core.hardware as h; print(h.choose_precision('auto', torch.device('cpu')).compute)"
    env = {**os.environ, "ATEN_CPU_CAPABILITY": capability, "ONEDNN_MAX_CPU_ISA": "AVX2"}
    env |= {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "FBGEMM_ENABLE_INSTRUCTIONS": "AVX2"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == auto


def test_the_speed_flags_named_in_reports_are_those_that_decide_the_speed(monkeypatch):
    from liif.core import hardware

    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"fpu", "sse2", "avx2", "amx_bf16", "amx_tile"}))
    assert hardware.speed_flags() == "amx_bf16, amx_tile, avx2"
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"fpu"}))
    assert hardware.speed_flags() == "none of avx2, avx512, amx"


def test_the_encoder_follows_an_explicit_bf16_and_stays_close(model):
    image = random_image(24, 20, seed=5)
    exact = encode(model, image, precision="exact").features
    bf16 = encode(model, image, precision="bf16").features
    assert exact.dtype == bf16.dtype == torch.float32
    assert 0 < max_diff(exact, bf16) < 0.1 * float(exact.abs().max())


def test_unknown_precision_is_refused(model, grid):
    with pytest.raises(liif.LiifError, match="unknown precision 'int4'"):
        liif.render(model, grid, 5, 5, precision="int4")


def test_render_progress_counts_every_pixel_once(model, grid):
    seen = []  # 75,000 pixels: more than one band
    liif.render(model, grid, 300, 250, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (75000, 75000)
    assert all(b[0] > a[0] for a, b in itertools.pairwise(seen))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(grid):
    cpu_model = load_model()
    gpu_model = load_model(device="cuda")
    on_gpu = liif.LatentGrid(grid.features.cuda())
    assert (
        max_diff(
            liif.render(gpu_model, on_gpu, 40, 30, precision="exact"),
            liif.render(cpu_model, grid, 40, 30, precision="exact"),
        )
        <= 1e-4
    )
