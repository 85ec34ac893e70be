"""What LIIF+ (the 8-view self-ensemble) costs against a plain render: encode + decode, side by side in one run.

python benchmarks/bench_selfensemble.py [--scale 4] [--photos N]
"""

from __future__ import annotations

import argparse

from common import lr_hr, photos, timed

import liif
from liif.core.hardware import speed_flags
from liif.io.tables import markdown_table as table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--photos", type=int, default=3)
    args = parser.parse_args()
    model = liif.load_model()
    print(f"CPU flags: {speed_flags()}")
    rows = []
    for path in photos()[: args.photos]:
        lr, hr = lr_hr(path, args.scale)
        height, width = hr.shape[-2:]

        def plain(lr=lr, width=width, height=height) -> object:
            return liif.render(model, liif.encode(model, lr), width, height, precision="exact")

        def plus(lr=lr, width=width, height=height) -> object:
            return liif.render(model, liif.encode_views(model, lr, 8), width, height, precision="exact")

        plain_seconds, _ = timed(plain)
        plus_seconds, _ = timed(plus)
        rows.append([f"{path.stem} x{args.scale}", f"{width}x{height}", f"{plain_seconds:.2f}", f"{plus_seconds:.2f}",
                     f"{plus_seconds / plain_seconds:.2f}x"])  # fmt: skip
    print(table(["photo", "output", "plain s", "LIIF+ s", "cost"], rows))


if __name__ == "__main__":
    main()
