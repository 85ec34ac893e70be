"""Where LIIF stops adding detail: LIIF at x S enlarged (liif/core/enlarge.py) against LIIF rendered exactly.

The paper's protocol (HR cropped to a multiple of the scale, LR its bicubic downscale, RGB PSNR with
scale + 6 shaved): for each output scale and each S below it, how close LIIF at x S, enlarged by the
cubic filter, is to the exact LIIF render (PSNR), what it does to the PSNR against the ground truth,
and how many fewer LIIF pixels it needs. Both in fp32, so the table measures the enlargement alone.
``liif.core.enlarge.DETAIL_SCALE`` is chosen from it.

    python benchmarks/bench_detail.py [--folder ../shared/photos] [--photos N] [--crop 640]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import torch
from common import EXAMPLES, photos, timed
from PIL import Image

import liif
from liif.core.enlarge import iter_enlarged
from liif.core.hardware import cpu_capability, speed_flags
from liif.core.metrics import psnr
from liif.core.render import render
from liif.io.tables import markdown_table as table
from liif.views.evaluation import make_pair

CASES = ((4, 2), (8, 4), (12, 8), (16, 8), (32, 8), (32, 16))  # (output scale, LIIF scale S)


def enlarged(model: liif.LIIF, grid: liif.LatentGrid, size: tuple[int, int], source: tuple[int, int]) -> torch.Tensor:
    width, height = size
    out = torch.empty((height, width, 3))

    def rows_of(box: tuple[int, int, int, int]):
        yield 0, render(model, grid, *source, box=box, precision="exact")

    for row, rgb in iter_enlarged(width, height, source, (0, 0, width, height), rows_of):
        out[row : row + rgb.shape[0]] = rgb
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=EXAMPLES)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--crop", type=int, default=0, help="centre-crop each photo to this width first (0: whole)")
    args = parser.parse_args()
    model = liif.load_model()
    print(f"flags {speed_flags()}, torch ISA {cpu_capability()}, threads {torch.get_num_threads()}; fp32 throughout\n")
    rows = []
    for scale, detail in CASES:
        to_exact, to_truth, ratio, speed = [], [], [], []
        for path in photos(args.folder)[: args.photos]:
            photo = Image.open(path).convert("RGB")
            if args.crop and photo.width > args.crop:
                left, top = (photo.width - args.crop) // 2, max(0, (photo.height - args.crop * 3 // 4) // 2)
                photo = photo.crop((left, top, left + args.crop, top + min(photo.height, args.crop * 3 // 4)))
            lr, hr = make_pair(photo, scale)
            grid = liif.encode(model, liif.load_picture(lr).rgb, precision="exact")
            truth = torch.from_numpy(liif.load_picture(hr).rgb.permute(1, 2, 0).numpy())
            size, source = hr.size, (lr.width * detail, lr.height * detail)
            exact_s, exact = timed(lambda g=grid, s=size: render(model, g, *s, precision="exact"))
            fast_s, fast = timed(lambda g=grid, s=size, src=source: enlarged(model, g, s, src))
            shave = scale + 6
            to_exact.append(psnr(fast, exact, shave=shave))
            to_truth.append(psnr(fast, truth, shave=shave) - psnr(exact, truth, shave=shave))
            ratio.append(size[0] * size[1] / (source[0] * source[1]))
            speed.append(exact_s / fast_s)
        rows.append(
            [
                f"x{scale}",
                f"x{detail}",
                f"{statistics.mean(ratio):.1f}x",
                f"{statistics.mean(speed):.1f}x",
                f"{statistics.mean(to_exact):.1f} ({min(to_exact):.1f}-{max(to_exact):.1f})",
                f"{statistics.mean(to_truth):+.4f} ({min(to_truth):+.4f})",
            ]
        )
        print(rows[-1], flush=True)
    headers = ["output", "LIIF at", "fewer LIIF px", "time saved", "PSNR to exact dB (range)"]
    headers.append("Δ PSNR to truth (worst)")
    print(table(headers, rows))


if __name__ == "__main__":
    main()
