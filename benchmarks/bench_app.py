"""Interactive latency of the app once a photo is encoded: crop updates and line plots.

Measured twice: calling the event functions directly, and as a browser would, through a launched app
with gradio_client (HTTP, queue and PNG encoding included). Medians of repeated calls.

    python benchmarks/bench_app.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import EXAMPLES, free_port, median_time

from demo.config import AppConfig
from demo.events import Events
from demo.page.shell import build
from demo.workbench import Workbench
from liif.core.hardware import speed_flags
from liif.io.tables import markdown_table as table

PHOTO = str(EXAMPLES / "forest_stream.jpg")
WIDTH, HEIGHT = 768, 512  # x2 of the 384x256 example


def crop_kwargs(i: int, zoom: float) -> dict[str, float]:
    # A different centre each time, so nothing but the latent grid is reused.
    return {"centre_x": 100 + 37 * i % 500, "centre_y": 80 + 23 * i % 350, "crop": 64, "zoom": zoom}


def line_kwargs(i: int) -> dict[str, float]:
    return {"x0": 5 + i, "y0": 10, "x1": 700 - i, "y1": 480}


def direct_rows(repeat: int) -> list[list[str]]:
    events = Events.over(Workbench(AppConfig()))
    events.workbench.encode(PHOTO, "edsr-baseline-liif")
    crops = events.compare.crops
    calls = {
        "crop 64 px at zoom 2 (128x128 render)": lambda i: crops(PHOTO, WIDTH, HEIGHT, **crop_kwargs(i, 2)),
        "crop 64 px at zoom 4 (256x256 render)": lambda i: crops(PHOTO, WIDTH, HEIGHT, **crop_kwargs(i, 4)),
        "line plot, ~3,400 samples + CSV": lambda i: events.line.plot(PHOTO, WIDTH, HEIGHT, **line_kwargs(i)),
    }
    rows = []
    for name, call in calls.items():
        counter = iter(range(10_000))
        rows.append([name, "event function", f"{median_time(lambda c=call, k=counter: c(next(k)), repeat):.3f}"])
    return rows


def first_rows() -> list[list[str]]:
    """Seconds from the Upscale click to the first LIIF rows on screen (the streamed event, as the page runs it)."""
    import time

    from PIL import Image

    events = Events.over(Workbench(AppConfig()))
    events.workbench.calibrate()
    request = type("Request", (), {"session_hash": "bench"})()
    big = Path(tempfile.mkdtemp()) / "photo_500x375.png"
    with Image.open(PHOTO) as img:
        img.convert("RGB").resize((500, 375), Image.Resampling.BICUBIC).save(big)
    rows = []
    for label, photo, size, warm in [
        ("first LIIF rows, 1001x333, grid cached", PHOTO, (1001, 333), True),
        ("first LIIF rows, 3200x2400, grid cached", PHOTO, (3200, 2400), True),
        ("first LIIF rows, 1000x750, encoding a 500x375 photo", str(big), (1000, 750), False),
    ]:
        if warm:
            events.workbench.encode(photo, "edsr-baseline-liif")
        start = time.perf_counter()
        frames = events.upscale.live(photo, *size, None, "auto", "standard", events.upscale.start(request), request)
        for _, line, _ in frames:
            if "LIIF" in line:
                rows.append([label, "event function (streamed)", f"{time.perf_counter() - start:.3f}"])
                break
        events.upscale.stop(request)
        list(frames)
    return rows


def client_rows(repeat: int) -> list[list[str]]:
    from gradio_client import Client, handle_file

    app = build(AppConfig())
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        image = handle_file(PHOTO)
        base = {"image": image, "width": WIDTH, "height": HEIGHT}
        client.predict(**base, api_name="/upscale")  # encodes and caches the grid
        counter = iter(range(10_000))
        crop = median_time(lambda: client.predict(**base, **crop_kwargs(next(counter), 2), api_name="/compare"), repeat)
        line = median_time(lambda: client.predict(**base, **line_kwargs(next(counter)), api_name="/profile"), repeat)
    finally:
        app.close()
    return [
        ["crop 64 px at zoom 2 (128x128 render)", "gradio_client round trip", f"{crop:.3f}"],
        ["line plot, ~3,400 samples + CSV", "gradio_client round trip", f"{line:.3f}"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = direct_rows(args.repeat) + client_rows(args.repeat) + first_rows()
    print(f"photo {PHOTO.rsplit('/', 1)[-1]} (384x256) at {WIDTH}x{HEIGHT}, latent grid cached; target 0.5 s")
    print(f"CPU flags: {speed_flags()}\n")
    print(table(["interaction", "measured through", "seconds (median)"], rows))


if __name__ == "__main__":
    main()
