"""Make examples/ from the project's shared photos: downsized copies plus their credits.

The app must not need ../shared at run time, so the photos it offers are copied into the repo. They are
downsized (long side 384 px) so that a CPU encodes one in a couple of seconds.

    python tools/make_examples.py ../shared/photos
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageOps

LONG_SIDE = 384
ROOT = Path(__file__).resolve().parents[1]
NOTE = (
    f"\n\nThe copies in this folder are downsized to {LONG_SIDE} px on the long side (Lanczos, JPEG quality 92) "
    "by `tools/make_examples.py`; authors and licences are unchanged.\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path, help="folder with the photos and CREDITS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    args = parser.parse_args()
    args.out.mkdir(exist_ok=True)
    for src in sorted(args.photos.glob("*.jpg")):
        with Image.open(src) as img:
            small = ImageOps.contain(ImageOps.exif_transpose(img).convert("RGB"), (LONG_SIDE, LONG_SIDE), Image.LANCZOS)
            small.save(args.out / src.name, quality=92)
            print(f"{src.name}: {img.size[0]}x{img.size[1]} -> {small.size[0]}x{small.size[1]}")
    credits = (args.photos / "CREDITS.md").read_text().rstrip()
    (args.out / "CREDITS.md").write_text(credits + NOTE)


if __name__ == "__main__":
    main()
