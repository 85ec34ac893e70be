"""How honest the app's waits are: the time estimate shown before a click against the render's real time, and
how the time left moves while it runs.

Each render is the page's own (the streamed Upscale, grid cached), estimated the way the page does it (LIIF's
work, its pixels and the codes it reads, at the measured rows' rate, the output's at the finish's:
demo/workbench.Speed), from the speed the
render before it measured, as a person sees it after their first render; the first row is a fresh app's first
render (1000x667, the photo not yet encoded), estimated from the start-up calibration alone (target: within 2x).
The time left is read off the frames;
"growth" is the largest ratio of a later time left to an earlier one once a tenth is done (1.0: it only shrank).

    python benchmarks/bench_estimate.py
"""

from __future__ import annotations

import time

from common import EXAMPLES
from PIL import Image

from demo.config import AppConfig
from demo.events import Events
from demo.events.common import AUTO, STANDARD
from demo.workbench import Workbench
from liif.core.enlarge import DETAIL_SCALE
from liif.core.hardware import choose_precision, speed_flags
from liif.io.tables import markdown_table as table

SIZES = ((480, 320), (768, 512), (1536, 1024), (2304, 1536))  # of the 384x256 photo: x1.25 to x6
DEEP = (3000, 2250)  # of a 100x75 photo: x30, LIIF at x8 and enlarged


class _Session:
    session_hash = "bench"


def liif_work(width: int, height: int, photo_width: int, photo_height: int) -> int:
    """LIIF's work for a stretched render under auto: its own pixels and the photo's codes it reads (static/logic.js,
    liifPixels and latentCodes)."""
    pixels = min(width, DETAIL_SCALE * photo_width) * min(height, DETAIL_SCALE * photo_height)
    return pixels + photo_width * photo_height


def run(events: Events, photo: str, width: int, height: int) -> tuple[float, float, float]:
    """(estimate, seconds, growth of the time left) of one render."""
    with Image.open(photo) as image:
        photo_width, photo_height = image.size
    work = liif_work(width, height, photo_width, photo_height)
    estimate = events.workbench.speed(AUTO).seconds(work, width * height)
    session = _Session()
    ticket = events.upscale.start(session)
    start = time.perf_counter()
    frames = list(events.upscale.live(photo, width, height, None, AUTO, STANDARD, ticket, session))
    seconds = time.perf_counter() - start
    left = [float(f.status.split("about ")[1].split(" s")[0]) for f in frames if (f.shown["progress"] or 0) >= 0.1]
    growth = max((later / max(earlier, 1) for i, earlier in enumerate(left) for later in left[i + 1 :]), default=1.0)
    return estimate, seconds, growth


def row(output: str, estimate: float, seconds: float, growth: float) -> list[str]:
    return [output, f"{estimate:.1f}", f"{seconds:.1f}", f"{estimate / seconds:.2f}", f"{growth:.2f}"]


def main() -> None:
    events = Events.over(Workbench(AppConfig()))
    events.workbench.calibrate()
    photo = str(EXAMPLES / "forest_stream.jpg")
    first = row("1000x667, fresh app", *run(events, photo, 1000, 667))  # only the calibration measured so far
    small = "/tmp/liif-bench-estimate-100x75.png"
    Image.open(photo).convert("RGB").resize((100, 75), Image.Resampling.LANCZOS).save(small)
    for path in (photo, small):  # encoded and rendered once: the next renders are a person's second ones
        run(events, path, 200, 150)
    rows = [first]
    for path, (width, height) in [*((photo, size) for size in SIZES), (small, DEEP)]:
        rows.append(row(f"{width}x{height}", *run(events, path, width, height)))
    compute = choose_precision("auto", events.workbench.device).compute
    print(f"CPU flags: {speed_flags()}; auto runs {compute}\n")
    print(table(["output", "estimate s", "real s", "estimate / real", "time left growth"], rows))


if __name__ == "__main__":
    main()
