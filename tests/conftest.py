import math
import os
import socket
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import liif
from liif.core.hardware import choose_precision
from liif.weights.hub import save_folder

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = ROOT / "tests" / "reference"  # the official outputs, copied from ../shared by tools/copy_reference.py


def pytest_collection_finish(session):
    """Start the type check beside the suite, if this run includes it (see test_style)."""
    if any(item.name == "test_types_check_clean" for item in session.items):
        import test_style

        test_style.MYPY.append(test_style.start_mypy())


def pytest_collection_modifyitems(config, items):
    """Tests marked ``shared`` read ../shared (the official checkpoint, the full-size photos); say once if it is
    missing."""
    needing = [item for item in items if item.get_closest_marker("shared")]
    if not needing or SHARED.is_dir():
        return
    reason = f"{SHARED} is missing: the parity tests need the project's shared folder beside the repository"
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(reason, returncode=1)
    for item in needing:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def model() -> liif.LIIF:
    return liif.load_model()


def free_port() -> int:
    """A port of 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tiny_liif(seed: int = 0) -> liif.LIIF:
    """A LIIF shaped like EDSR-baseline-LIIF but tiny (one residual block of 8 channels, an MLP of 16, 16) with
    random weights: for plumbing tests, where how the colours come back matters, not which."""
    torch.manual_seed(seed)
    encoder = {"name": "edsr-baseline", "args": {"n_resblocks": 1, "n_feats": 8, "no_upsampling": True}}
    return liif.LIIF(encoder_spec=encoder, imnet_spec={"name": "mlp", "args": {"out_dim": 3, "hidden_list": [16, 16]}})


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory) -> Path:
    """:func:`tiny_liif` as a Hub-format folder: the app and the CLI take it wherever they take weights."""
    folder = tmp_path_factory.mktemp("tiny-liif")
    save_folder(tiny_liif(), folder)
    return folder


def _launched(config):
    """The app built with ``config``, launched on a free port of 127.0.0.1; its URL, and the app to close."""
    from demo.page.shell import build, launch_options

    app = build(config)
    port = free_port()
    app.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(config)
    )
    return f"http://127.0.0.1:{port}/", app


@pytest.fixture(scope="session")
def app_url():
    """The app on the bundled weights, launched once (what a person sees: the browser tests)."""
    from demo.config import AppConfig

    url, app = _launched(AppConfig(max_output_pixels=2_000_000, max_upload="2mb"))
    try:
        yield url
    finally:
        app.close()


@pytest.fixture(scope="session")
def tiny_app_url(tiny_weights):
    """The app on :func:`tiny_liif`'s weights, launched once: for tests of the API's plumbing, where the
    pictures' content does not matter and the real model's seconds would only slow the suite."""
    from demo.config import AppConfig

    url, app = _launched(AppConfig(model=str(tiny_weights), max_output_pixels=2_000_000, max_upload="2mb"))
    try:
        yield url
    finally:
        app.close()


def random_image(height: int, width: int, seed: int = 0) -> torch.Tensor:
    """A smooth-plus-noise test image, so renders have both edges and gradients."""
    gen = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    base = torch.stack((yy, xx, (yy + xx) / 2))
    return (0.6 * base + 0.4 * torch.rand((3, height, width), generator=gen)).clamp(0, 1)


def reference_input(name: str) -> torch.Tensor:
    return liif.load_picture(REFERENCE / name).rgb


def max_diff(a, b) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).max())


# How far two computations of the same pixels may be apart, by what computes them (README, "Same pixels"). fp32:
# only the order of a sum, where oneDNN picks another kernel for another size (seen on AVX-512: a window at the
# output's edge); bf16 and int8: twice the most either is off exact (0.0025 and 0.0062 on a photo), as each window
# or chunk rounds on its own. 8-bit images: that many levels of 255, rounded up, and one more for the rounding.
SAME_PIXELS = {"fp32": 1e-5, "bf16": 0.01, "int8": 0.015}
AUTO_COMPUTE = choose_precision("auto", torch.device("cpu")).compute  # what auto runs on this machine


def assert_same_pixels(a, b, compute: str = "fp32") -> None:
    """Two renders of the same pixels (floats in [0, 1], or 8-bit) agree within :data:`SAME_PIXELS`."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    bound = SAME_PIXELS[compute]
    if a.dtype == np.uint8:
        bound = math.ceil(bound * 255) + 1
    assert max_diff(a, b) <= bound, f"{compute}: {max_diff(a, b)} > {bound}"


@pytest.fixture(scope="session")
def client(tiny_app_url):
    """A gradio_client Client of the tiny app, for API calls."""
    from gradio_client import Client

    return Client(tiny_app_url, verbose=False)
