"""The command line's arguments: what each command takes, checked as argparse reads it (one line on a bad one)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from liif.core.enlarge import DETAIL_SCALE
from liif.core.grid import DEFAULT_TILE
from liif.core.hardware import DEVICES, PRECISIONS
from liif.errors import LiifError
from liif.io.degrade import CLEAN, Chain, parse_chains
from liif.io.output import OUTPUT_SUFFIXES
from liif.io.sizes import parse_size
from liif.pipeline.condition import PhotoChoice
from liif.pipeline.layout import FITS
from liif.views.evaluation import PROTOCOLS
from liif.weights.sources import DEFAULT_MODEL, MODEL_NAMES

ENGINES = ("local", "ray")
MAX_DPI = 10_000
LIIF_PLUS_HELP = (
    "LIIF+: average the 8 flips/transposes of the photo, then back-project the result onto the photo "
    "(about 8x slower, a little sharper)"
)
INPUT_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".ppm", ".pgm", ".pbm", ".tga"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _scales(text: str) -> list[int]:
    try:
        scales = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of whole scales, e.g. 2,3,4"
        ) from None
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: scales must be whole numbers of at least 1")
    return scales


def _size(text: str) -> tuple[int, int]:
    try:
        return parse_size(text)
    except LiifError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _dpi(text: str) -> float:
    value = _positive_float(text)
    if value > MAX_DPI:
        raise argparse.ArgumentTypeError(f"{text!r}: a print resolution is at most {MAX_DPI} dpi")
    return value


def _degradations(text: str) -> list[Chain]:
    try:
        return parse_chains(text)
    except LiifError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _model_args(parser: argparse.ArgumentParser, several: bool = False) -> None:
    which = f"{' or '.join(MODEL_NAMES)}, a weights path or a Hub repo id"
    parser.add_argument(
        "--model",
        help=f"{which}{'; several, separated by commas, side by side' if several else ''} "
        f"(default: LIIF_WEIGHTS or {DEFAULT_MODEL})",
    )
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): the fastest arithmetic here (native bf16, else int8 hidden layers, else fp32), and "
        f"past x{DETAIL_SCALE} of the photo LIIF's x{DETAIL_SCALE} render enlarged; exact = fp32 at every pixel, "
        "as the official code; fp32, bf16, int8: that arithmetic at every pixel",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="liif", description="Upscale photos, fetch and export weights, evaluate.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _upscale_args(commands.add_parser("upscale", help="render photos at an exact size or scale"))
    _eval_args(commands.add_parser("eval", help="the paper's PSNR protocol on a folder of photos"))
    info = commands.add_parser("info", help="this machine: device, what --precision auto means here, speed")
    info.add_argument("--device", choices=DEVICES, default="auto")
    weights = commands.add_parser("weights", help="find or export model weights")
    actions = weights.add_subparsers(dest="action", required=True, parser_class=_Parser)
    fetch = actions.add_parser("fetch", help="resolve a model's weights and print their local path")
    fetch.add_argument("name", nargs="?", help="model name, path or Hub repo id (default: the default model)")
    export = actions.add_parser("export", help="write a Hub-format folder (config.json, model.safetensors, card)")
    export.add_argument("name", help="model name or path, e.g. the official .pth")
    export.add_argument("--out", required=True, help="folder to write")
    return parser


def _upscale_args(up: argparse.ArgumentParser) -> None:
    up.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, or folders of them")
    up.add_argument("-o", "--output", required=True, help="output file, or a folder for several inputs")
    how = up.add_mutually_exclusive_group(required=True)
    how.add_argument("--size", type=_size, metavar="WIDTHxHEIGHT", help="exact output size, e.g. 1920x1080")
    how.add_argument("--scale", type=_positive_float, metavar="S", help="uniform scale, e.g. 4 or 2.5")
    up.add_argument(
        "--format", choices=[s[1:] for s in OUTPUT_SUFFIXES], help="output type in a folder (default: the input's)"
    )
    up.add_argument("--tile", type=int, default=DEFAULT_TILE, help="encoder tile side in pixels (default: %(default)s)")
    up.add_argument(
        "--fit",
        choices=FITS,
        default="stretch",
        help="another aspect than the photo's: stretch it (default), fill (crop the photo's centre) or fit (pad)",
    )
    up.add_argument(
        "--pad", default="black", metavar="COLOUR", help="fit's margins: a CSS colour or transparent (default: black)"
    )
    up.add_argument("--liif-plus", action="store_true", help=LIIF_PLUS_HELP)
    up.add_argument(
        "--dpi",
        type=_dpi,
        metavar="N",
        help="the print resolution to write into the output (PNG, JPEG, WebP), e.g. 300 for A4 at 3508x2480",
    )
    up.add_argument(
        "--photo",
        choices=[c.value for c in PhotoChoice],
        default=PhotoChoice.AUTO.value,
        help="auto (default): LIIF for real photos where the photo is a JPEG below quality 90 or noisy, the paper's "
        "LIIF where it is clean; clean or real: that model",
    )
    up.add_argument(
        "--verbose", action="store_true", help="say how far the result, shrunk back, is from the photo (levels of 255)"
    )
    up.add_argument("--overwrite", action="store_true", help="allow an output to replace one of the inputs")
    up.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="for folders: local (default) renders here, one photo after another; ray spreads them over a Ray "
        "cluster (pip install '.[cluster]'). Both skip outputs already there and keep OUTPUT/manifest.jsonl",
    )
    up.add_argument(
        "--ray-address", metavar="ADDR", help="an existing Ray cluster (default: start Ray on this machine)"
    )
    up.add_argument("--force", action="store_true", help="for folders: render again where an output is already there")
    _model_args(up)


def _eval_args(ev: argparse.ArgumentParser) -> None:
    ev.add_argument("--images", required=True, help="folder of high-resolution photos")
    ev.add_argument(
        "--scales", type=_scales, default=[2, 3, 4, 6, 12, 30], help="comma-separated (default: %(default)s)"
    )
    ev.add_argument(
        "--protocol", choices=PROTOCOLS, default="div2k", help="div2k: RGB, shave scale+6; benchmark: Y, shave scale"
    )
    ev.add_argument(
        "--degrade",
        type=_degradations,
        default=[CLEAN],
        metavar="CASES",
        help="what happens to the photo after the shrink, cases separated by commas, steps of a case by +: clean, "
        "jpeg:Q, jpeg444:Q, noise:SIGMA, poisson:PHOTONS, blur:SIGMA (e.g. clean,jpeg:40,noise:5+jpeg:75; "
        "default: clean)",
    )
    ev.add_argument("--format", choices=["table", "tsv"], default="table")
    ev.add_argument("--ssim", action="store_true", help="also report SSIM (luma)")
    ev.add_argument("--plot", help="write the PSNR gain over bicubic against scale (.png or .html)")
    ev.add_argument("--liif-plus", action="store_true", help="also score LIIF+ (8 flips/transposes averaged)")
    _model_args(ev, several=True)
