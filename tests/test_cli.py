"""The command line: exit codes, one-line errors, exact sizes, batches, no partial files."""

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from PIL import Image

from liif.batch.jobs import read_manifest
from liif.cli import main


class run_cli:  # noqa: N801  (used like the subprocess.run it stands in for)
    """The CLI in this process (fast); a crash surfaces as an exception and fails the test."""

    def __init__(self, *args):
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                self.returncode = main([str(a) for a in args])
            except SystemExit as exc:
                self.returncode = exc.code
        self.stderr, self.stdout = err.getvalue(), out.getvalue()


def run_process(*args, cwd=ROOT, env=None):
    return subprocess.run(
        [sys.executable, "-m", "liif", *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env
    )


def assert_clean_failure(done, *fragments):
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture()
def photo(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(path)
    return path


def test_exact_odd_size_png(tmp_path, photo):
    out = tmp_path / "out.png"
    done = run_cli("upscale", photo, "-o", out, "--size", "77x41")
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (77, 41)


def test_fractional_scale_and_downscale(tmp_path, photo):
    for scale, size in [("2.5", (75, 50)), ("0.5", (15, 10))]:
        out = tmp_path / f"x{scale}.jpg"
        assert run_cli("upscale", photo, "-o", out, "--scale", scale).returncode == 0
        assert Image.open(out).size == size


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--size", "0x5"], "at least 1x1"),
        (["--size", "abc"], "WIDTHxHEIGHT"),
        (["--size=-3x4"], "WIDTHxHEIGHT"),
        (["--size", "100000x100000"], "over"),
        (["--size", "30000x30000"], "over the limit"),
        (["--scale", "-1"], "positive"),
        (["--scale", "nan"], "positive"),
        (["--scale", "abc"], "not a number"),
        (["--scale", "2", "--size", "4x4"], "not allowed with"),
        ([], "one of the arguments --size --scale is required"),
        (["--scale", "2", "--device", "tpu"], "invalid choice"),
        (["--scale", "2", "--model", "no-such-model"], "neither a model name"),
    ],
)
def test_bad_arguments_fail_cleanly(tmp_path, photo, args, fragment):
    out = tmp_path / "out.png"
    assert_clean_failure(run_cli("upscale", photo, "-o", out, *args), fragment)
    assert not out.exists()


def test_bad_inputs_fail_cleanly_without_partial_files(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    truncated = tmp_path / "cut.png"
    Image.fromarray(np.zeros((50, 50, 3), np.uint8)).save(tmp_path / "whole.png")
    truncated.write_bytes((tmp_path / "whole.png").read_bytes()[:60])
    for source, fragment in [(text, "not an image"), (truncated, "truncated"), (tmp_path / "none.png", "no such")]:
        out = tmp_path / "out.png"
        assert_clean_failure(run_cli("upscale", source, "-o", out, "--scale", "2"), fragment)
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.png", "notes.jpg", "whole.png"]


def test_unsupported_output_type_is_refused_before_work(tmp_path, photo):
    assert_clean_failure(
        run_cli("upscale", photo, "-o", tmp_path / "out.gif", "--scale", "2"), "unsupported output type"
    )


def test_batch_keeps_names_and_reports_failures_without_stopping(tmp_path, photo):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.png", "b.jpg"):
        Image.open(photo).convert("RGB").save(folder / name)
    (folder / "c.png").write_bytes(b"broken")
    out = tmp_path / "out"
    done = run_cli("upscale", folder, "-o", out, "--scale", "2")
    assert done.returncode == 2
    assert "c.png" in done.stderr and "1 of 3 images failed" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.jpg", "manifest.jsonl"]
    assert Image.open(out / "b.jpg").size == (60, 40)
    records = {Path(r.input).name: r for r in read_manifest(out)}
    assert set(records) == {"a.png", "b.jpg", "c.png"} and records["c.png"].error and not records["a.png"].error
    done = run_cli("upscale", folder / "a.png", folder / "b.jpg", "-o", out, "--scale", "1", "--format", "npy")
    assert done.returncode == 0, done.stderr
    assert np.load(out / "a.npy").shape == (20, 30, 3)


def test_weights_fetch_prints_the_bundled_folder():
    done = run_cli("weights", "fetch")
    assert done.returncode == 0
    assert done.stdout.strip().endswith("liif/bundled/edsr-baseline-liif")
    assert_clean_failure(run_cli("weights", "fetch", "rdn-liif"), "rdn-liif.pth")


@pytest.mark.slow
def test_a_real_process_exits_2_with_one_line_and_0_on_success(tmp_path, photo):
    env = {"PYTHONPATH": str(ROOT), "PATH": ""}
    assert_clean_failure(
        run_process("upscale", tmp_path / "none.png", "-o", tmp_path / "o.png", "--scale", "2", env=env)
    )
    assert_clean_failure(run_process("upscale", photo, "-o", tmp_path / "o.png", env=env), "--size --scale")
    done = run_process("upscale", photo, "-o", tmp_path / "o.png", "--scale", "1", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "o.png").size == (30, 20)


def test_bf16_is_honoured_and_says_when_it_is_emulated(tmp_path, photo):
    from liif.core.hardware import native_bf16, pick_device

    out = tmp_path / "bf16.npy"
    done = run_cli("upscale", photo, "-o", out, "--size", "31x17", "--precision", "bf16")
    assert done.returncode == 0 and np.load(out).shape == (17, 31, 3)
    assert ("emulated" in done.stderr) != native_bf16(pick_device("auto"))


@pytest.mark.slow
def test_info_says_what_auto_means_here(monkeypatch):
    from liif.core import hardware

    cases = [("DEFAULT", {"avx2"}, "fp32"), ("AVX2", {"avx2"}, "int8"), ("AVX512", {"avx512_bf16"}, "bf16")]
    for capability, flags, compute in cases:
        monkeypatch.setattr(hardware, "cpu_flags", lambda flags=frozenset(flags): flags)
        monkeypatch.setattr(hardware, "cpu_capability", lambda capability=capability: capability)
        done = run_cli("info")
        assert done.returncode == 0, done.stderr
        assert f"precision auto: {compute}" in done.stdout
        assert "detail scale: auto renders LIIF up to x8" in done.stdout
        assert "torch threads:" in done.stdout and "Mpx/s" in done.stdout
