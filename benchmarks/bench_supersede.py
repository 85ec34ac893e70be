"""How soon a person sees the render they asked for when they ask again before the last one finished.

Ten clicks of Upscale back to back in Chromium (a 96x64 photo to 1200x800 and up, each click while the previous
render runs): seconds from each click to the new size's preview on the result view. The superseded render and
its follow-ups must give way at once (the last round's target: each within 2 s). The browser test
``test_back_to_back_supersedes_each_replace_the_preview`` checks the behaviour; this prints the times.

    python benchmarks/bench_supersede.py [--clicks 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import EXAMPLES, launched_page
from PIL import Image

from demo.config import AppConfig
from liif.core.hardware import choose_precision, cpu_capability, speed_flags
from liif.io.tables import markdown_table as table


def waits(clicks: int) -> list[float]:
    seconds = []
    with tempfile.TemporaryDirectory() as tmp, launched_page(AppConfig(max_output_pixels=2_000_000)) as page:
        photo = Path(tmp) / "stream.png"
        Image.open(EXAMPLES / "forest_stream.jpg").convert("RGB").resize((96, 64), Image.Resampling.LANCZOS).save(photo)
        page.locator("#photo input[type=file]").set_input_files(str(photo))
        page.wait_for_function("() => document.querySelector('#width input').value === '192'")
        width = page.locator("#width input")
        for i in range(clicks):
            width.fill(str(1200 + i))
            start = time.perf_counter()
            page.locator("#run").click()
            page.wait_for_function(f"() => window.liifDeepZoom.shownResult()?.width === {1200 + i}")
            seconds.append(time.perf_counter() - start)
            page.wait_for_function("() => document.querySelector('#status').innerText.includes('% · about')")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=10)
    args = parser.parse_args()
    import torch

    auto = choose_precision("auto", torch.device("cpu")).compute
    print(f"flags {speed_flags()}, torch ISA {cpu_capability()}, auto = {auto}\n")
    times = waits(args.clicks)
    rows = [[str(i + 1), f"{1200 + i}x800", f"{s:.2f}"] for i, s in enumerate(times)]
    rows.append(["max", "", f"{max(times):.2f}"])
    print(table(["click", "asked for", "seconds to its preview"], rows))


if __name__ == "__main__":
    main()
