"""Peak memory of big renders, each case in its own process so peaks don't mix.

Main case (the target: <= 1.5 GB): a 1000x750 photo rendered to 4000x3000 in fp32 by the CLI. For
contrast, the parts: the encoder in one pass vs tiled, and the reference decode's whole-map unfold.

    python benchmarks/bench_memory.py [--skip-big]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import EXAMPLES, ROOT
from PIL import Image

from liif.io.tables import markdown_table as table

SETUP = "import liif; m = liif.load_model(); img = liif.load_picture(SRC).rgb; "
CASES = {
    "encode 1000x750, one pass": "liif.encode(m, img, tile=4000)",
    "encode 1000x750, tiled 256": "liif.encode(m, img, tile=256)",
    "reference decode 1000x750 -> 100x75": "liif.reference_render(m, liif.encode(m, img), 100, 75)",
    "fast decode 1000x750 -> 100x75": "liif.render(m, liif.encode(m, img), 100, 75)",
}


def peak_rss_mb(argv: list[str]) -> tuple[float, float]:
    """Run a child process; its peak resident set size in MB (Linux: KiB from wait4) and wall seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{argv} failed with status {status}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-big", action="store_true", help="skip the 4000x3000 render (about 4 minutes)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "photo_1000x750.png"
        Image.open(EXAMPLES / "forest_stream.jpg").convert("RGB").resize((1000, 750), Image.BICUBIC).save(src)
        for name, code in CASES.items():
            mb, seconds = peak_rss_mb([sys.executable, "-c", (SETUP + code).replace("SRC", repr(str(src)))])
            rows.append([name, f"{mb:,.0f}", f"{seconds:.1f}", ""])
        if not args.skip_big:
            out = Path(tmp) / "big.png"
            cli = [sys.executable, "-m", "liif", "upscale", str(src), "-o", str(out), "--size", "4000x3000"]
            mb, seconds = peak_rss_mb(cli)
            rows.append(["CLI 1000x750 -> 4000x3000 PNG, fp32", f"{mb:,.0f}", f"{seconds:.1f}", "<= 1,536"])
    print(table(["case", "peak RSS MB", "seconds", "target MB"], rows))


if __name__ == "__main__":
    main()
