"""Photos as people have them: bicubic, the paper's LIIF, LIIF for real photos and what the default command line
does (auto: the model chosen from the photo), on photos shrunk, then saved as JPEG or left clean.

The photos are the held-out ones of training/photos.json (fetched by ``python -m training fetch``) or any folder
(``--folder``: the README's table uses 8 landscape photos from Debian packages no model was trained on, see
docs/real-photos.md); each is cut to its central 480x360 at the size the training photos were used at. Every
case goes through ``liif eval``'s code (the one pipeline; auto reads the degraded photo's JPEG tables, as the
command line reads the file's). ``--figure`` draws the README's picture: a 160x120 quality-35 JPEG at 640x480.

    python benchmarks/bench_real.py [--folder DIR] [--scales 3,4] [--figure docs/real_photo.jpg]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import EXAMPLES, ROOT
from PIL import Image, ImageDraw

import liif
from liif.core.hardware import choose_precision, cpu_capability, speed_flags
from liif.io.degrade import parse_chains
from liif.io.tables import markdown_table as table
from liif.pipeline.condition import PAPER_MODEL, REAL_MODEL
from liif.views.evaluation import evaluate, means

CASES = "clean,jpeg:75,jpeg:40"
METHODS = {"LIIF": PAPER_MODEL, "LIIF for real photos": REAL_MODEL, "default CLI (auto)": "auto"}


def crops(folder: Path, out: Path) -> list[Path]:
    paths = []
    for photo in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")):
        with Image.open(photo) as image:
            rgb = image.convert("RGB")
        rgb.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
        left, top = (rgb.width - 480) // 2, (rgb.height - 360) // 2
        path = out / f"{photo.stem}.png"
        rgb.crop((left, top, left + 480, top + 360)).save(path)
        paths.append(path)
    return paths


def results(paths: list[Path], scales: list[int]) -> list[list[str]]:
    scores, _ = evaluate(METHODS, paths, scales, degradations=parse_chains(CASES), precision="exact")
    rows = []
    for mean in means(scores):
        row = [mean.degradation, f"x{mean.scale}", f"{mean.psnr['bicubic']:.2f}"]
        row += [f"{mean.psnr[m]:.2f} ({mean.gain(m):+.2f})" for m in METHODS]
        row += [f"{mean.blockiness[m]:.2f}" for m in ("bicubic", *METHODS)] if mean.blockiness else ["", "", "", ""]
        rows.append(row)
    return rows


def figure(path: Path) -> None:
    """The quality-35 case side by side: bicubic, the paper's LIIF, LIIF for real photos."""
    with Image.open(EXAMPLES / "forest_stream.jpg") as image:
        small = image.convert("RGB").resize((160, 120), Image.Resampling.BICUBIC)
    with tempfile.TemporaryDirectory() as tmp:
        jpeg = Path(tmp) / "old.jpg"
        small.save(jpeg, quality=35)
        picture = liif.load_picture(jpeg)
        shown = [
            ("bicubic", Image.open(jpeg).resize((640, 480), Image.Resampling.BICUBIC)),
            ("the paper's LIIF", liif.upscale(picture, 640, 480, model=PAPER_MODEL)),
            ("LIIF for real photos", liif.upscale(picture, 640, 480, model=REAL_MODEL)),
        ]
    sheet = Image.new("RGB", (3 * 640 + 2 * 8, 480 + 28), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (name, picture_out) in enumerate(shown):
        sheet.paste(picture_out.convert("RGB"), (i * 648, 28))
        draw.text((i * 648 + 8, 8), f"{name} · a 160x120 JPEG at quality 35, to 640x480", fill="black")
    sheet.save(path, quality=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="photos no model was trained on (default: the held-out ones)")
    parser.add_argument("--scales", default="3,4")
    parser.add_argument("--figure", type=Path, help="also draw the README's picture there")
    args = parser.parse_args()
    import torch

    auto = choose_precision("auto", torch.device("cpu")).compute
    print(f"flags {speed_flags()}, torch ISA {cpu_capability()}, auto = {auto}; exact fp32 throughout\n")
    if args.figure:
        figure(args.figure)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or _held_out(Path(tmp) / "held-out")
        paths = crops(folder, Path(tmp))
        headers = ["degradation", "scale", "bicubic", *METHODS, "blockiness: bicubic", *METHODS]
        print(f"{len(paths)} photos from {folder}, 480x360; PSNR dB (gain over bicubic)\n")
        print(table(headers, results(paths, [int(s) for s in args.scales.split(",")])))


def _held_out(scratch: Path) -> Path:
    import sys

    sys.path.insert(0, str(ROOT))
    from training.data import LONG_SIDE, fetch, photo_list

    photos = ROOT / "training" / "photos"
    fetch(photos)
    scratch.mkdir()
    _, listed = photo_list()
    for photo in listed:
        if photo.split == "held-out":
            with Image.open(photos / photo.file) as image:
                rgb = image.convert("RGB")
            rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
            rgb.save(scratch / f"{Path(photo.file).stem}.png")
    return scratch


if __name__ == "__main__":
    main()
