"""Deep zoom: what a tile costs, what a whole view costs, and the memory of a long session of tile requests.

A. One 256x256 LIIF tile at x30 from a cached grid (``liif.views.tiles.render_tile``), per precision; and the
   same through the viewer's tile function (PNG, base64, cache miss), as the page calls it.
B. A full 1280x800 view at x8 and at x30: every LIIF tile of the level the viewer draws there (under auto
   no deeper than x8, which the viewer enlarges; under exact the x32 level).
C. 2,000 tile requests over one photo (all levels, LIIF and bicubic, 64-px tiles so the run takes minutes),
   through the viewer's tile function: the process's resident memory before, at its peak and after.
D. With --browser: seconds from the end of a mouse-wheel zoom to the first LIIF tile of the new level on
   screen, in Chromium against a launched app.

    python benchmarks/bench_deepzoom.py [--repeat 5] [--requests 2000] [--browser]
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import time
from pathlib import Path

from common import EXAMPLES, launched_page, median_time, memory_mb

import liif
from demo.config import AppConfig
from demo.events import Events
from demo.workbench import Workbench
from liif.core.enlarge import DETAIL_SCALE
from liif.core.hardware import choose_precision, speed_flags
from liif.io.tables import markdown_table as table
from liif.views.tiles import render_tile

PHOTO = str(EXAMPLES / "forest_stream.jpg")  # 384x256
ZOOM = 30


def tile_rows(repeat: int) -> list[list[str]]:
    model = liif.load_model()
    picture = liif.load_picture(PHOTO)
    grid = liif.encode(model, picture.rgb)
    w, h = picture.width, picture.height
    rows = []
    places = itertools.cycle([(10 + i % 20, 8 + i % 10) for i in range(200)])  # a new tile each time
    for precision in ("exact", "auto"):

        def one(p: str = precision) -> None:
            render_tile(model, grid, w, h, ZOOM, *next(places), precision=p)

        one()  # warm-up
        label = f"auto ({choose_precision('auto', model.device).compute}, x{DETAIL_SCALE} enlarged)"
        rows.append([f"256x256 tile at x{ZOOM}, grid cached", label if precision == "auto" else "exact (fp32)",
                     f"{median_time(one, repeat):.3f}"])  # fmt: skip

    events = Events.over(Workbench(AppConfig()))
    key, _ = events.workbench.picture(PHOTO)
    counter = iter(range(10_000))
    request = {"photo": key, "zoom": ZOOM, "row": 5, "size": 256}
    events.deepzoom.viewer_tile({**request, "col": 0})  # encodes and caches the grid
    seconds = median_time(lambda: events.deepzoom.viewer_tile({**request, "col": 1 + next(counter)}), repeat)
    rows.append([f"256x256 tile at x{ZOOM}, viewer's tile function", "auto", f"{seconds:.3f}"])
    return rows


def view_rows() -> list[list[str]]:
    """Every LIIF tile a 1280x800 view touches, rendered one after another: the level the viewer draws is
    the view's own zoom (a power of two) under exact, and no deeper than x8 under auto (enlarged past it)."""
    model = liif.load_model()
    picture = liif.load_picture(PHOTO)
    grid = liif.encode(model, picture.rgb)
    rows = []
    for zoom, precision in ((8, "auto"), (30, "auto"), (30, "exact")):
        level = min(2 ** math.ceil(math.log2(zoom)), DETAIL_SCALE if precision == "auto" else 32)
        span_w, span_h = 1280 * level / zoom, 800 * level / zoom  # the view, in pixels of that level
        cx, cy = picture.width * level / 2, picture.height * level / 2
        cols = range(math.floor((cx - span_w / 2) / 256), math.ceil((cx + span_w / 2) / 256))
        tile_rows = range(math.floor((cy - span_h / 2) / 256), math.ceil((cy + span_h / 2) / 256))
        start = time.perf_counter()
        for row in tile_rows:
            for col in cols:
                render_tile(model, grid, picture.width, picture.height, level, col, row, precision=precision)
        seconds = time.perf_counter() - start
        tiles = len(cols) * len(tile_rows)
        rows.append([f"1280x800 view at x{zoom}: {tiles} tiles of the x{level} level", precision, f"{seconds:.1f}"])
    return rows


def memory_rows(requests: int) -> list[list[str]]:
    events = Events.over(Workbench(AppConfig()))
    key, picture = events.workbench.picture(PHOTO)
    events.deepzoom.viewer_tile(
        {"photo": key, "zoom": 1, "col": 0, "row": 0, "size": 64}
    )  # model, grid, first allocations
    before, _ = memory_mb()
    rng = random.Random(0)
    start = time.perf_counter()
    for _ in range(requests):
        zoom = 2 ** rng.randint(0, 5)
        cols, rows = math.ceil(picture.width * zoom / 64), math.ceil(picture.height * zoom / 64)
        method = "bicubic" if rng.random() < 0.2 else "liif"
        answer = events.deepzoom.viewer_tile(
            {"photo": key, "zoom": zoom, "col": rng.randrange(cols), "row": rng.randrange(rows), "size": 64,
             "method": method}
        )  # fmt: skip
        assert "png" in answer, answer
    after, peak = memory_mb()
    budget = events.workbench.config.tile_cache_bytes / 2**20
    tiles = events.deepzoom.tiles
    return [
        ["tile requests", f"{requests} (64-px tiles, {time.perf_counter() - start:.0f} s)"],
        ["tiles kept in the cache", f"{len(tiles)} ({tiles.size / 2**20:.1f} MB of {budget:.0f} MB)"],
        ["RSS before / after (MB)", f"{before:.0f} / {after:.0f} (+{after - before:.0f})"],
        ["peak RSS of the process (MB)", f"{peak:.0f}"],
    ]  # fmt: skip


def browser_rows() -> list[list[str]]:
    """Seconds from the last wheel notch (zoom settled) to the first tile of the new level, in Chromium."""
    waits = []
    with launched_page() as page:
        page.locator("#photo input[type=file]").set_input_files(PHOTO)
        stage = page.locator(".dz-stage")
        stage.scroll_into_view_if_needed()  # off the screen the viewer asks for nothing
        page.wait_for_function("() => window.liifDeepZoom && window.liifDeepZoom.stats.drawn > 0")
        box = stage.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for target in (4, 8, 16, 30):
            while page.evaluate("() => window.liifDeepZoom.photoZoom()") < target:
                page.mouse.wheel(0, -120)
                page.wait_for_timeout(60)
            zoom = 0.0
            while zoom != (zoom := page.evaluate("() => window.liifDeepZoom.photoZoom()")):
                page.wait_for_timeout(50)
            # A tile of the level now on screen: one of the old level finishing late does not count.
            level, drawn = page.evaluate("() => [liifDeepZoom.level(), liifDeepZoom.stats.drawnAt]")
            start = time.perf_counter()
            page.wait_for_function(f"() => (liifDeepZoom.stats.drawnAt[{level}] || 0) > {drawn.get(str(level), 0)}")
            waits.append((zoom, time.perf_counter() - start))
    return [[f"first LIIF tile after a zoom to x{z:.1f} settles", "Chromium, launched app", f"{s:.2f}"]
            for z, s in waits]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--browser", action="store_true", help="also time the first tile in Chromium")
    args = parser.parse_args()
    print(f"photo {Path(PHOTO).name} (384x256); CPU flags: {speed_flags()}; "
          f"auto runs {choose_precision('auto', liif.load_model().device).compute}\n")  # fmt: skip
    timings = tile_rows(args.repeat) + view_rows() + (browser_rows() if args.browser else [])
    print(table(["what", "precision / path", "seconds (median)"], timings), end="\n\n")
    if args.requests:
        print(table(["memory over a session of tile requests", "measured"], memory_rows(args.requests)))


if __name__ == "__main__":
    main()
