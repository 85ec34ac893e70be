import os
import socket
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import liif

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
PHOTOS = SHARED / "photos"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``shared`` read ../shared (the official outputs and weights); say once if it is missing."""
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


@pytest.fixture(scope="session")
def app_url():
    """The app, launched once on a free port of 127.0.0.1."""
    from demo.config import AppConfig
    from demo.layout import build, launch_options

    config = AppConfig(max_output_pixels=2_000_000, max_upload="2mb")
    app = build(config)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(config)
    )
    try:
        yield f"http://127.0.0.1:{port}/"
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
