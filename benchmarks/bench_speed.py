"""Speed of the decode: paper-faithful reference vs the fast path (fp32, bf16), side by side in one run.

For each example photo and scale: HR = the photo cropped to a multiple of the scale, LR = its bicubic
downscale, encode LR once, then time each decode of the full HR-sized render. Prints time, speed-up
over the reference, max abs difference to the reference, PSNR against HR and its difference to fp32.
Then the interactive numbers: a 256x256 window of a x30 output and 1,000 line samples, grid cached.

    python benchmarks/bench_speed.py [--scales 2,3,4] [--photos N] [--no-bf16]
"""

from __future__ import annotations

import argparse
import platform

import torch
from common import lr_hr, median_time, photos, timed

import liif
from liif.core.coords import render_cell
from liif.core.hardware import native_bf16
from liif.core.metrics import psnr
from liif.io.tables import markdown_table as table


def decode_rows(model: liif.LIIF, precisions: list[str], scales: list[int], count: int) -> list[list[object]]:
    rows = []
    for path in photos()[:count]:
        for scale in scales:
            lr, hr = lr_hr(path, scale)
            grid = liif.encode(model, lr)
            height, width = hr.shape[-2:]
            target = hr.permute(1, 2, 0)
            ref_time, ref = timed(lambda g=grid, w=width, h=height: liif.reference_render(model, g, w, h))
            results = {"reference": (ref_time, ref)}
            for precision in precisions:
                results[f"fast {precision}"] = timed(
                    lambda g=grid, w=width, h=height, p=precision: liif.render(model, g, w, h, precision=p)
                )
            base_psnr = psnr(results["fast fp32"][1], target, shave=scale + 6)
            for name, (seconds, out) in results.items():
                value = psnr(out, target, shave=scale + 6)
                rows.append([
                    f"{path.stem} x{scale}", f"{width}x{height}", name, f"{seconds:.2f}",
                    f"{ref_time / seconds:.2f}x", f"{(out - ref).abs().max():.1e}", f"{value:.3f}",
                    f"{value - base_psnr:+.4f}",
                ])  # fmt: skip
    return rows


def interactive_rows(model: liif.LIIF, repeat: int) -> list[list[object]]:
    lr = liif.load_picture(photos()[0]).rgb
    grid = liif.encode(model, lr)
    width, height = lr.shape[-1] * 30, lr.shape[-2] * 30
    box = (width // 2, height // 2, width // 2 + 256, height // 2 + 256)
    window = median_time(lambda: liif.render(model, grid, width, height, box=box), repeat)
    t = torch.linspace(0, 1, 1000)[:, None]
    line = torch.cat([-0.8 + 1.5 * t, -0.9 + 1.7 * t], dim=1)  # a diagonal, (y, x)
    cell = render_cell(height, width)
    points = median_time(lambda: liif.query_points(model, grid, line, cell), repeat)
    return [
        [f"256x256 window of a x30 output ({width}x{height})", f"{window:.3f}", "0.5"],
        ["1,000 samples along a line", f"{points:.3f}", "0.2"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--photos", type=int, default=5, help="how many example photos")
    parser.add_argument("--no-bf16", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of the interactive timings (median)")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = liif.load_model()
    device = torch.device("cpu")
    cpu = platform.processor() or platform.machine()
    print(f"{cpu}, {torch.get_num_threads()} threads, torch {torch.__version__}, native bf16: {native_bf16(device)}\n")
    precisions = ["fp32"] if args.no_bf16 else ["fp32", "bf16"]
    scales = [int(s) for s in args.scales.split(",")]
    headers = ["photo", "output", "decode", "seconds", "speed-up", "max |diff| to ref", "PSNR dB", "ΔPSNR vs fp32"]
    print(table(headers, decode_rows(model, precisions, scales, args.photos)))
    print()
    print(
        table(
            ["interactive query (latent grid cached)", "seconds (median)", "target"],
            interactive_rows(model, args.repeat),
        )
    )


if __name__ == "__main__":
    main()
