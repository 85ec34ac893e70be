"""What ``auto`` buys on this CPU, side by side in one run, and where a whole render spends its time.

A. Whole process (python start, model load, encode, render, PNG): 240x180 -> 960x720 (a centre crop of a
   photo, shrunk x4 by bicubic), the paper-faithful reference decode (the official code's computation),
   ``liif upscale --precision exact`` and the default ``liif upscale`` (auto); PSNR against the crop.
B. x30, 100x75 -> 3000x2250 from a cached grid: exact against auto (LIIF at x8, enlarged); and the PSNR
   of both against the ground truth at x30 (the paper's protocol on the photos).
C. ``/tile``'s computation at zoom 32 (256-px tiles): exact against auto, and auto's PSNR to exact.
D. The profile of a default x4 render (960x720 from 240x180), by what the time goes to.

    python benchmarks/bench_auto.py [--folder ../shared/photos]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from common import ROOT, photos, timed
from PIL import Image
from torch.profiler import ProfilerActivity, profile

import liif
from liif.evaluation import make_pair
from liif.hardware import choose_precision, cpu_capability, speed_flags
from liif.imageio import write_rows
from liif.metrics import psnr
from liif.tables import markdown_table as table
from liif.tiles import render_tile

SHARED_PHOTOS = ROOT.parent / "shared" / "photos"
REFERENCE_RUN = """
import sys, numpy as np, liif
from PIL import Image
model = liif.load_model(sys.argv[1])
grid = liif.encode(model, liif.load_picture(sys.argv[2]).rgb, precision="exact")
rgb = liif.reference_render(model, grid, 960, 720)
Image.fromarray((rgb.clamp(0, 1).numpy() * 255).round().astype(np.uint8)).save(sys.argv[3])
"""
# What each profiled op is, in the words of the README's profile table.
PROFILE_PARTS = {
    "aten::mkldnn_convolution": "encoder (EDSR-baseline convolutions)",
    "quantized::linear_dynamic": "MLP hidden layers (int8 GEMMs)",
    "aten::addmm": "first layer per latent cell, last layer (fp32 GEMMs)",
    "aten::index": "3x3 neighbourhoods of the touched cells",
    "aten::index_select": "gather of each query's 4 cell terms",
    "aten::addmm_": "offset term (K=2), added in place",
    "aten::clamp_min_": "ReLUs",
    "aten::mul": "ensemble weights, 0.5 + 0.5 x, normalising the input",
}


def whole_process(folder: Path) -> list[list[object]]:
    photo = Image.open(photos(folder)[0]).convert("RGB")
    left, top = (photo.width - 960) // 2, (photo.height - 720) // 2
    truth = photo.crop((left, top, left + 960, top + 720))
    rows, times = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.png"
        truth.resize((240, 180), Image.Resampling.BICUBIC).save(small)
        weights = str(liif.resolve(None).path)
        runs = {
            "reference decode (official computation)": [sys.executable, "-c", REFERENCE_RUN, weights, str(small)],
            "liif upscale --precision exact": [sys.executable, "-m", "liif", "upscale", str(small), "--scale", "4"],
            "liif upscale (auto, the default)": [sys.executable, "-m", "liif", "upscale", str(small), "--scale", "4"],
        }
        for name, command in runs.items():
            out = Path(tmp) / f"{len(times)}.png"
            command = [*command, str(out)] if "reference" in name else [*command, "-o", str(out)]
            if "exact" in name:
                command += ["--precision", "exact"]
            seconds, _ = timed(lambda c=command: subprocess.run(c, cwd=ROOT, check=True, capture_output=True))
            times[name] = seconds
            score = psnr(np.asarray(Image.open(out), dtype=np.float32) / 255, np.asarray(truth, dtype=np.float32) / 255)
            first = next(iter(times.values()))
            rows.append([name, f"{seconds:.1f}", f"{first / seconds:.2f}x", f"{score:.3f}"])
    return rows


def at_x30(model: liif.LIIF, folder: Path) -> list[list[object]]:
    photo = liif.load_picture(photos(folder)[0]).rgb[:, :75, :100]
    grid = liif.encode(model, photo, precision="exact")
    exact_s, _ = timed(lambda: liif.render(model, grid, 3000, 2250, precision="exact"))
    auto_s, _ = timed(lambda: liif.render(model, grid, 3000, 2250))
    gains = defaultdict(list)
    for path in photos(folder):
        lr, hr = make_pair(Image.open(path).convert("RGB"), 30)
        grid = liif.encode(model, liif.load_picture(lr).rgb, precision="exact")
        truth = liif.load_picture(hr).rgb.permute(1, 2, 0)
        for name in ("exact", "auto"):
            gains[name].append(psnr(liif.render(model, grid, *hr.size, precision=name), truth, shave=36))
    mean = {name: sum(values) / len(values) for name, values in gains.items()}
    return [
        ["exact", f"{exact_s:.1f}", "1.00x", f"{mean['exact']:.3f}"],
        ["auto (LIIF at x8, enlarged)", f"{auto_s:.1f}", f"{exact_s / auto_s:.1f}x", f"{mean['auto']:.3f}"],
    ]


def tiles_at_x32(model: liif.LIIF, folder: Path) -> list[list[object]]:
    picture = liif.load_picture(photos(folder)[0]).rgb[:, :160, :240]
    grid = liif.encode(model, picture, precision="exact")
    rows = []
    for col, row in ((3, 2), (10, 7), (20, 15)):
        exact_s, exact = timed(lambda c=col, r=row: render_tile(model, grid, 240, 160, 32, c, r, precision="exact"))
        auto_s, auto = timed(lambda c=col, r=row: render_tile(model, grid, 240, 160, 32, c, r))
        close = psnr(auto.astype(np.float32) / 255, exact.astype(np.float32) / 255)
        rows.append([f"({col}, {row})", f"{exact_s:.2f}", f"{auto_s:.3f}", f"{exact_s / auto_s:.1f}x", f"{close:.1f}"])
    return rows


def profile_x4(model: liif.LIIF, folder: Path) -> list[list[object]]:
    picture = liif.load_picture(photos(folder)[0]).rgb[:, :180, :240]
    liif.render(model, liif.encode(model, picture[:, :40, :40]), 160, 160)  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        grid = liif.encode(model, picture)
        rgb = liif.render(model, grid, 960, 720)
    with tempfile.TemporaryDirectory() as tmp:
        png_s, _ = timed(lambda: write_rows(Path(tmp) / "out.png", 960, 720, iter([(0, rgb)]), liif.Picture(picture)))
    spent = defaultdict(float)
    for event in prof.key_averages():
        spent[PROFILE_PARTS.get(event.key, "everything else (copies, index maths, sorting)")] += (
            event.self_cpu_time_total / 1e6
        )
    spent["PNG writing (8-bit rounding, zlib)"] = png_s
    total = sum(spent.values())
    return [[part, f"{s:.2f}", f"{100 * s / total:.0f} %"] for part, s in sorted(spent.items(), key=lambda kv: -kv[1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=SHARED_PHOTOS if SHARED_PHOTOS.is_dir() else None)
    parser.add_argument("--parts", default="ABCD", help="which of A-D to run (default: all)")
    args = parser.parse_args()
    if args.folder is None:
        parser.error("needs photos of at least 960x720: --folder (../shared/photos is used where it exists)")
    model = liif.load_model()
    chosen = choose_precision("auto", model.device)
    flags = f"flags {speed_flags()}, torch ISA {cpu_capability()}, threads {torch.get_num_threads()}"
    print(f"{flags}; {chosen.why}\n")
    parts = [
        (["A. whole process, 240x180 -> 960x720", "seconds", "vs reference", "PSNR dB"], whole_process),
        (["B. 100x75 -> 3000x2250 (x30)", "seconds", "speed-up", "PSNR at x30 (mean)"], at_x30),
        (["C. tile at x32", "exact s", "auto s", "speed-up", "auto to exact dB"], tiles_at_x32),
        (["D. where a default x4 render goes", "seconds", "share"], profile_x4),
    ]
    for headers, part in parts:
        if headers[0][0] not in args.parts:
            continue
        rows = part(args.folder) if part is whole_process else part(model, args.folder)
        print(table(headers, rows), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
