"""Load on the app: concurrent clients, then a long run of sequential requests, against a real server.

Starts `python app.py` in its own process (so its memory is measured alone), then:
  A. 8 gradio_client clients at once, each sending a mix of /upscale, /compare and /profile requests;
  B. 50 sequential requests, recording the server's resident memory along the way;
  C. 8 clients at once against a server whose queue holds only 2, to show the "busy" answer;
  D. big requests one after another: the server's peak memory during each, and what it holds after.
Prints answers, errors, p50/p95 latency and the server's peak RSS for each phase.

    python benchmarks/bench_load.py [--rounds 3] [--big-only]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from common import EXAMPLES, ROOT, free_port, memory_mb

from liif.io.tables import markdown_table as table

PHOTO = str(EXAMPLES / "dandelions.jpg")  # 384x216


def start_server(queue_size: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "LIIF_APP_QUEUE_SIZE": str(queue_size), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start")


def request(url: str, i: int) -> tuple[float, str | None]:
    """One request of a rotating kind; its latency and error text (None when answered)."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    base = {"image": handle_file(PHOTO), "width": 400 + i % 7, "height": 225}
    kind = i % 3
    start = time.perf_counter()
    try:
        if kind == 0:
            client.predict(**base, api_name="/upscale")
        elif kind == 1:
            client.predict(**base, centre_x=100 + i, centre_y=100, api_name="/compare")
        else:
            client.predict(**base, x0=0, y0=0, x1=399, y1=224, api_name="/profile")
    except Exception as exc:  # every failure is counted and its message shown
        return time.perf_counter() - start, str(exc).splitlines()[0][:80]
    return time.perf_counter() - start, None


def summarise(name: str, results: list[tuple[float, str | None]], pid: int) -> list[str]:
    times = sorted(t for t, err in results if err is None)
    errors = [err for _, err in results if err is not None]
    p50 = statistics.median(times) if times else float("nan")
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan")
    _, peak = memory_mb(pid)
    example = f" ({errors[0]})" if errors else ""
    return [
        name,
        str(len(results)),
        str(len(times)),
        f"{len(errors)}{example}",
        f"{p50:.2f}",
        f"{p95:.2f}",
        f"{peak:,.0f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="requests per client in phase A")
    parser.add_argument("--big-only", action="store_true", help="phase D only")
    args = parser.parse_args()
    if args.big_only:
        print(table(["D. big requests, one after another", "seconds", "peak RSS MB", "RSS after MB"], big_requests()))
        return
    rows, memory = [], []
    proc, url = start_server(queue_size=16)
    try:
        request(url, 0)  # warm up: the photo's latent grid is now cached
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: request(url, i), range(8 * args.rounds)))
        rows.append(summarise("A. 8 concurrent clients", results, proc.pid))
        results = []
        for i in range(50):
            results.append(request(url, i))
            if i % 10 == 9:
                memory.append(f"{memory_mb(proc.pid)[0]:,.0f}")
        rows.append(summarise("B. 50 sequential", results, proc.pid))
    finally:
        proc.terminate()
        proc.wait()
    proc, url = start_server(queue_size=2)
    try:
        request(url, 0)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: request(url, 3 * i), range(8)))
        rows.append(summarise("C. 8 concurrent, queue of 2", results, proc.pid))
    finally:
        proc.terminate()
        proc.wait()
    headers = ["phase", "requests", "answers", "errors", "p50 s", "p95 s", "server peak RSS MB"]
    print(table(headers, rows))
    print(f"\nserver RSS after requests 10, 20, 30, 40, 50 of phase B (MB): {', '.join(memory)}\n")
    print(table(["D. big requests, one after another", "seconds", "peak RSS MB", "RSS after MB"], big_requests()))


def big_requests() -> list[list[str]]:
    """Phase D: requests that need a lot of memory, each with the server's peak during it and its resident
    memory once it is done (the peak is reset between requests through /proc/PID/clear_refs)."""
    from gradio_client import Client, handle_file
    from PIL import Image

    folder = Path(tempfile.mkdtemp())
    big = folder / "noise_1000x1000.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (1000, 1000, 3), dtype=np.uint8)).save(big)
    proc, url = start_server(queue_size=16)
    rows = [["server idle, model loaded", "", "", f"{memory_mb(proc.pid)[0]:,.0f}"]]
    calls = [
        ("/upscale 384x216 -> 2400x1350 (3.2 MP)", {"image": handle_file(PHOTO), "width": 2400, "height": 1350},
         "/upscale"),
        ("/latent_grid of a 1000x1000 photo", {"image": handle_file(str(big))}, "/latent_grid"),
        ("/explain a pixel of it", {"image": handle_file(str(big)), "width": 2000, "height": 2000, "x": 900,
                                    "y": 900}, "/explain"),
        ("/compare on it, 2000x2000 output", {"image": handle_file(str(big)), "width": 2000, "height": 2000,
                                              "centre_x": 1000, "centre_y": 1000}, "/compare"),
    ]  # fmt: skip
    try:
        client = Client(url, verbose=False)
        for label, kwargs, api in calls:
            Path(f"/proc/{proc.pid}/clear_refs").write_text("5")  # reset the peak
            start = time.perf_counter()
            client.predict(**kwargs, api_name=api)
            seconds = time.perf_counter() - start
            time.sleep(2)
            now, peak = memory_mb(proc.pid)
            rows.append([label, f"{seconds:.1f}", f"{peak:,.0f}", f"{now:,.0f}"])
    finally:
        proc.terminate()
        proc.wait()
    return rows


if __name__ == "__main__":
    main()
