"""What ``auto`` buys on this CPU, side by side in one run, and where a whole render spends its time.

The header names the machine: CPU flags, the kernel set torch runs (its ISA), what auto computes in, and the
MLP's chunk per compute kind (liif.core.query.CHUNKS). ``--avx2`` runs the same script with the runtime limited to
AVX2 (the four variables of the README), as an AVX2-only CPU runs.

A. Whole process (python start, model load, encode, render, PNG): 240x180 -> 960x720 (a centre crop of a
   photo, shrunk x4 by bicubic; with --large also 500x375 -> 2000x1500), the paper-faithful reference decode
   (the official code's computation), ``liif upscale --precision exact`` and the default ``liif upscale``
   (auto); PSNR against the crop (at 2000x1500 the photo is enlarged first: its PSNR says little).
S. Where a small render's whole process goes before any work: Python, importing torch, importing the CLI,
   loading the bundled model (each a fresh process).
E. A render from a cached grid (240x180 -> 960x720, auto) with the settings of the last round (256 queries a
   chunk for every kind, int8's ReLU as its own pass) against today's, interleaved, best of three; PSNR of
   each against exact.
F. The chunk sweep behind liif.core.query.CHUNKS, for auto's compute kind and fp32.
G. One 256x256 hidden layer by rows fed at once (F.linear fp32 and bf16; int8 with its ReLU fused).
B. x30, 100x75 -> 3000x2250 from a cached grid: exact against auto (LIIF at x8, enlarged); and the PSNR
   of both against the ground truth at x30 (the paper's protocol on the photos).
C. ``/tile``'s computation at zoom 32 (256-px tiles): exact against auto, and auto's PSNR to exact.
D. The profile of a default x4 render (960x720 from 240x180), by what the time goes to.

    python benchmarks/bench_auto.py [--folder ../shared/photos] [--parts ASEFGBCD] [--large] [--avx2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from common import ROOT, photos, timed
from PIL import Image
from torch.profiler import ProfilerActivity, profile

import liif
from liif.core import int8, query
from liif.core.hardware import choose_precision, cpu_capability, int8_kernels, speed_flags
from liif.core.metrics import psnr
from liif.io.output import write_rows
from liif.io.tables import markdown_table as table
from liif.views.evaluation import make_pair
from liif.views.tiles import render_tile

SHARED_PHOTOS = ROOT.parent / "shared" / "photos"
REFERENCE_RUN = """
import sys, numpy as np, liif
from PIL import Image
model = liif.load_model(sys.argv[1])
grid = liif.encode(model, liif.load_picture(sys.argv[2]).rgb, precision="exact")
rgb = liif.reference_render(model, grid, int(sys.argv[4]), int(sys.argv[5]))
Image.fromarray((rgb.clamp(0, 1).numpy() * 255).round().astype(np.uint8)).save(sys.argv[3])
"""
AVX2_ONLY = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ATEN_CPU_CAPABILITY": "avx2",
             "FBGEMM_ENABLE_INSTRUCTIONS": "AVX2"}  # fmt: skip
STARTUP = {  # what each fresh process runs; its time less Python's own start is that step's
    "Python itself": "pass",
    "import torch": "import torch",
    "import liif.cli (torch, Pillow, NumPy, the library)": "import liif.cli",
    "... and load the bundled model": "import liif; liif.load_model()",
}
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


def whole_process(folder: Path, sizes: list[tuple[int, int]]) -> list[list[object]]:
    photo = Image.open(photos(folder)[0]).convert("RGB")
    rows = []
    for width, height in sizes:
        scale = min(photo.width / width, photo.height / height, 1)
        source = photo.resize((round(photo.width / scale), round(photo.height / scale))) if scale < 1 else photo
        left, top = (source.width - width) // 2, (source.height - height) // 2
        truth = source.crop((left, top, left + width, top + height))
        times: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as tmp:
            small = Path(tmp) / "small.png"
            truth.resize((width // 4, height // 4), Image.Resampling.BICUBIC).save(small)
            weights = str(liif.resolve(None).path)
            cli = [sys.executable, "-m", "liif", "upscale", str(small), "--scale", "4"]
            runs = {
                "reference decode (official computation)": [sys.executable, "-c", REFERENCE_RUN, weights, str(small)],
                "liif upscale --precision exact": [*cli, "--precision", "exact"],
                "liif upscale (auto, the default)": cli,
            }
            for name, command in runs.items():
                out = Path(tmp) / f"{len(times)}.png"
                if "reference" in name:
                    command = [*command, str(out), str(width), str(height)]
                else:
                    command = [*command, "-o", str(out)]
                seconds, _ = timed(lambda c=command: subprocess.run(c, cwd=ROOT, check=True, capture_output=True))
                times[name] = seconds
                got = np.asarray(Image.open(out), dtype=np.float32) / 255
                score = psnr(got, np.asarray(truth, dtype=np.float32) / 255)
                first = next(iter(times.values()))
                what = f"{width // 4}x{height // 4} -> {width}x{height}: {name}"
                rows.append([what, f"{seconds:.1f}", f"{first / seconds:.2f}x", f"{score:.3f}"])
    return rows


def startup() -> list[list[object]]:
    seconds = {}
    for name, code in STARTUP.items():
        runs = [timed(lambda c=code: subprocess.run([sys.executable, "-c", c], cwd=ROOT, check=True))[0]
                for _ in range(3)]  # fmt: skip
        seconds[name] = min(runs)
    python = seconds["Python itself"]
    return [[name, f"{s:.2f}", f"{s - python:.2f}" if name != "Python itself" else ""] for name, s in seconds.items()]


def _before(model: liif.LIIF, grid: liif.LatentGrid, precision: str) -> torch.Tensor:
    """The render with the last round's settings: 256 queries a chunk, int8's ReLU a pass of its own."""
    chunks = dict(query.CHUNKS)
    fused = int8.hidden_layer

    def separate(linear: torch.nn.Linear) -> int8.Layer:
        weights = int8.packed(linear)
        return lambda x: F.relu_(torch.ops.quantized.linear_dynamic(x, weights, False))

    query.CHUNKS.update(dict.fromkeys(chunks, 256))
    int8.hidden_layer = separate  # type: ignore[assignment]
    try:
        return liif.render(model, grid, 960, 720, precision=precision)
    finally:
        query.CHUNKS.update(chunks)
        int8.hidden_layer = fused  # type: ignore[assignment]


def before_and_now(model: liif.LIIF, folder: Path) -> list[list[object]]:
    picture = liif.load_picture(photos(folder)[0]).rgb[:, :180, :240]
    grid = liif.encode(model, picture)
    exact = liif.render(model, grid, 960, 720, precision="exact")
    runs = {
        "last round (chunk 256, ReLU its own pass)": lambda: _before(model, grid, "auto"),
        "today (liif.core.query.CHUNKS, fused int8 ReLU)": lambda: liif.render(model, grid, 960, 720),
    }
    best: dict[str, float] = {}
    outputs = {}
    for _ in range(3):  # interleaved: the machine's own drift falls on both
        for name, run in runs.items():
            seconds, outputs[name] = timed(run)
            best[name] = min(best.get(name, seconds), seconds)
    first = next(iter(best.values()))
    return [[name, f"{s:.2f}", f"{first / s:.2f}x", f"{psnr(outputs[name], exact):.1f}"] for name, s in best.items()]


def chunk_sweep(model: liif.LIIF, folder: Path) -> list[list[object]]:
    picture = liif.load_picture(photos(folder)[0]).rgb[:, :180, :240]
    grid = liif.encode(model, picture)
    kinds = dict.fromkeys([choose_precision("auto", model.device).compute, "fp32"])
    rows = []
    for compute in kinds:
        chosen = query.CHUNKS[compute]
        for chunk in (256, 1024, 2048, 4096):
            query.CHUNKS[compute] = chunk
            seconds = min(timed(lambda c=compute: liif.render(model, grid, 960, 720, precision=c))[0] for _ in range(2))
            rows.append([compute, str(chunk), f"{seconds:.2f}", "chosen" if chunk == chosen else ""])
        query.CHUNKS[compute] = chosen
    return rows


def gemm(model: liif.LIIF, folder: Path) -> list[list[object]]:
    linear = model.imnet.linears[1]
    layers = {
        "fp32": lambda x: F.relu_(F.linear(x, linear.weight, linear.bias)),
        "bf16": lambda x: F.relu_(F.linear(x, linear.weight.bfloat16(), linear.bias.bfloat16())),
    }
    if int8_kernels(model.device):
        layers["int8 (ReLU fused)"] = int8.hidden_layer(linear)
    rows = []
    for name, layer in layers.items():
        for n in (1024, 4096, 16384):
            x = torch.rand(n, 256, dtype=torch.bfloat16 if name == "bf16" else torch.float32)
            layer(x)
            seconds = min(timed(lambda f=layer, v=x: f(v))[0] for _ in range(10))
            rows.append([name, str(n), f"{2 * n * 256 * 256 / seconds / 1e9:.0f}"])
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
    parser.add_argument("--parts", default="ASEFGBCD", help="which of the parts to run (default: all)")
    parser.add_argument("--large", action="store_true", help="A also at 500x375 -> 2000x1500 (minutes)")
    parser.add_argument("--avx2", action="store_true", help="run limited to AVX2, as an AVX2-only CPU")
    args = parser.parse_args()
    if args.avx2:
        argv = [a for a in sys.argv[1:] if a != "--avx2"]
        sys.exit(subprocess.run([sys.executable, __file__, *argv], env={**os.environ, **AVX2_ONLY}).returncode)
    if args.folder is None:
        parser.error("needs photos of at least 960x720: --folder (../shared/photos is used where it exists)")
    model = liif.load_model()
    chosen = choose_precision("auto", model.device)
    chunks = ", ".join(f"{kind} {chunk}" for kind, chunk in query.CHUNKS.items())
    flags = f"flags {speed_flags()}, torch ISA {cpu_capability()}, threads {torch.get_num_threads()}"
    print(f"{flags}; {chosen.why}; chunk (queries) {chunks}\n")
    sizes = [(960, 720), (2000, 1500)] if args.large else [(960, 720)]
    parts = {
        "A": (["A. whole process", "seconds", "vs reference", "PSNR dB"], lambda: whole_process(args.folder, sizes)),
        "S": (["S. a fresh process, before any work", "seconds", "less Python's start"], startup),
        "E": (["E. 240x180 -> 960x720, grid cached, auto", "seconds", "speed-up", "PSNR to exact"],
              lambda: before_and_now(model, args.folder)),
        "F": (["F. compute", "chunk", "seconds (960x720)", ""], lambda: chunk_sweep(model, args.folder)),
        "G": (["G. 256x256 layer", "rows", "G(FL)OPS"], lambda: gemm(model, args.folder)),
        "B": (["B. 100x75 -> 3000x2250 (x30)", "seconds", "speed-up", "PSNR at x30 (mean)"],
              lambda: at_x30(model, args.folder)),
        "C": (["C. tile at x32", "exact s", "auto s", "speed-up", "auto to exact dB"],
              lambda: tiles_at_x32(model, args.folder)),
        "D": (["D. where a default x4 render goes", "seconds", "share"], lambda: profile_x4(model, args.folder)),
    }  # fmt: skip
    for key in args.parts:
        headers, part = parts[key]
        print(table(headers, part()), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
