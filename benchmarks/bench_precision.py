"""What bf16 and int8 cost in quality, per scale: the MLP in bf16 (and the encoder too), or its hidden layers in
int8, against fp32.

The paper's protocol on the example photos (HR cropped to a multiple of the scale, LR its bicubic
downscale, PSNR on RGB with scale + 6 shaved). Decides what precision ``auto`` may use: a part runs in
bf16 only if every scale stays within 0.01 dB of fp32. On a CPU without native bf16 this is slow
(bf16 is emulated) but the numbers are the same as on one with it.

    python benchmarks/bench_precision.py [--scales 2,3,4,6,12,30] [--photos N]
"""

from __future__ import annotations

import argparse
import platform

import torch
from common import lr_hr, photos

import liif
from liif.core.hardware import native_bf16, speed_flags
from liif.core.metrics import psnr
from liif.io.tables import markdown_table as table

BOUND_DB = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="2,3,4,6,12,30")
    parser.add_argument("--photos", type=int, default=5)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    model = liif.load_model()
    print(
        f"CPU: {platform.processor() or platform.machine()}, flags {speed_flags()}, "
        f"native bf16: {native_bf16(torch.device('cpu'))}, torch threads {torch.get_num_threads()}"
    )
    rows, worst = [], {"mlp": 0.0, "mlp+encoder": 0.0, "int8": 0.0}
    for scale in scales:
        gains = {"fp32": [], "mlp": [], "mlp+encoder": [], "int8": []}
        for path in photos()[: args.photos]:
            lr, hr = lr_hr(path, scale)
            target, (height, width) = hr.permute(1, 2, 0), hr.shape[-2:]
            grid = liif.encode(model, lr)
            grid_bf16 = liif.encode(model, lr, precision="bf16")
            outputs = {
                "fp32": liif.render(model, grid, width, height, precision="exact"),
                "mlp": liif.render(model, grid, width, height, precision="bf16"),
                "mlp+encoder": liif.render(model, grid_bf16, width, height, precision="bf16"),
                "int8": liif.render(model, grid, width, height, precision="int8"),
            }
            for name, out in outputs.items():
                gains[name].append(psnr(out, target, shave=scale + 6))
        base = sum(gains["fp32"]) / len(gains["fp32"])
        row: list[object] = [f"x{scale}", f"{base:.3f}"]
        for name in ("mlp", "mlp+encoder", "int8"):
            delta = sum(gains[name]) / len(gains[name]) - base
            worst[name] = max(worst[name], abs(delta))
            row.append(f"{delta:+.4f}")
        rows.append(row)
    print(table(["scale", "fp32 PSNR dB (mean)", "Δ bf16 MLP", "Δ bf16 MLP + encoder", "Δ int8 hidden layers"], rows))
    for name, value in worst.items():
        verdict = "within" if value <= BOUND_DB else "OVER"
        print(f"{name}: worst |Δ| of a scale's mean {value:.4f} dB, {verdict} the {BOUND_DB} dB bound")


if __name__ == "__main__":
    main()
