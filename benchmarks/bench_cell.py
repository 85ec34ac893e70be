"""Cell decoding on the example photos: where telling the MLP the true pixel size makes a visible difference.

For each photo, the 192x192 region around its most detailed spot (as the app picks it) is downscaled by
each scale and brought back by LIIF with the true cell and with a cell 4 times smaller (as if the output
were 4x larger). Printed: PSNR of both against the region, and how much of the picture changes by at least
2 levels of 8 bits (20 levels in the app's x10 difference map: clearly visible there).

    python benchmarks/bench_cell.py
"""

from __future__ import annotations

from common import photos

import liif
from liif.io.tables import markdown_table as table
from liif.views.detail import detail_spot
from liif.views.explain import cell_study

SCALES = (2, 3, 4, 6, 12)
SIDE = 192
VISIBLE = 2 / 255


def main() -> None:
    model = liif.load_model()
    rows = []
    for path in photos():
        picture = liif.load_picture(path)
        x, y = detail_spot(picture.rgb)
        left = min(max(round(x - SIDE / 2), 0), picture.width - SIDE)
        top = min(max(round(y - SIDE / 2), 0), picture.height - SIDE)
        region = picture.rgb_image().crop((left, top, left + SIDE, top + SIDE))
        for scale in SCALES:
            study = cell_study(model, region, scale, pretend=4)
            change = (study.true_cell - study.small_cell).abs().amax(-1)
            rows.append([
                path.stem, f"x{scale}", f"{study.psnr_true:.3f}", f"{study.psnr_small:.3f}",
                f"{study.psnr_true - study.psnr_small:+.3f}", f"{float(change.mean()) * 255:.2f}",
                f"{float((change >= VISIBLE).float().mean()) * 100:.1f} %",
            ])  # fmt: skip
    headers = ["photo", "scale", "PSNR true cell", "PSNR cell / 4", "gain of the true cell", "mean change (levels)",
               "pixels changed >= 2 levels"]  # fmt: skip
    print(table(headers, rows))


if __name__ == "__main__":
    main()
