"""Shared set-up for the benchmark scripts: example photos, LR/HR pairs, timing, table printing."""

from __future__ import annotations

import contextlib
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import liif  # noqa: E402

EXAMPLES = ROOT / "examples"


def photos(folder: Path = EXAMPLES) -> list[Path]:
    return sorted(folder.glob("*.jpg"))


def lr_hr(path: Path, scale: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The paper's pair: HR cropped to a multiple of ``scale``, LR = PIL bicubic downscale. (3, h, w) floats."""
    from liif.views.evaluation import make_pair

    lr, hr = make_pair(Image.open(path).convert("RGB"), scale)
    return liif.load_picture(lr).rgb, liif.load_picture(hr).rgb


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """One call's wall time in seconds, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (the machine is shared and noisy)."""
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on, for a server a benchmark starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_mb(pid: int | str = "self") -> tuple[float, float]:
    """A process's resident memory now and at its peak, in MB, from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@contextlib.contextmanager
def launched_page(config: object | None = None, width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """The app launched on 127.0.0.1 (``config``: an AppConfig, default settings without one) and a Playwright
    page of Debian's Chromium on it, for the benchmarks that time what a person waits for in a browser."""
    import os

    from playwright.sync_api import sync_playwright

    from demo.config import AppConfig
    from demo.page.shell import build, launch_options

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    config = config or AppConfig()
    app = build(config)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               **launch_options(config))  # fmt: skip
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/")
            yield page
            browser.close()
    finally:
        app.close()
