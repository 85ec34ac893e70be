"""``python -m liif``: upscale photos, fetch and export weights, evaluate.

Any bad input or argument ends with exit status 2 and one line on stderr, never a traceback, and never
leaves a partial output file.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import torch
from tqdm import tqdm

from liif import pipeline
from liif.condition import PAPER_MODEL, PhotoChoice
from liif.degrade import CLEAN, Chain, parse_chains
from liif.enlarge import DETAIL_SCALE
from liif.errors import LiifError
from liif.evaluation import PROTOCOLS, check_plot_path, evaluate, means, plot_gain, table_rows
from liif.grid import DEFAULT_TILE
from liif.hardware import DEVICES, PRECISIONS, choose_precision, native_bf16, pick_device, speed_flags
from liif.imageio import (
    IMAGE_FORMATS,
    OUTPUT_SUFFIXES,
    Picture,
    check_output_path,
    check_writable,
    load_picture,
    write_rows,
)
from liif.layout import FITS, pad_colour
from liif.model import LIIF
from liif.pipeline import Quality
from liif.render import measure_rate
from liif.sizes import parse_size
from liif.sources import DEFAULT_MODEL, MODEL_NAMES, Resolved, default_model, resolve
from liif.tables import markdown_table

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
    parser = _Parser(prog="liif", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    up = commands.add_parser("upscale", help="render photos at an exact size or scale")
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
    _model_args(up)

    ev = commands.add_parser("eval", help="the paper's PSNR protocol on a folder of photos")
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


def _expand_inputs(inputs: Sequence[str]) -> list[Path]:
    """The image files named or inside the folders named; a missing file or a broken link stays in the list,
    so the batch reports it and goes on (a single input fails on it at once)."""
    files: list[Path] = []
    for item in map(Path, inputs):
        if os.path.isdir(item):
            found = sorted(
                p for p in item.iterdir() if (p.is_file() or p.is_symlink()) and p.suffix.lower() in INPUT_SUFFIXES
            )
            if not found:
                raise LiifError(f"{item}: no images in this folder")
            files += found
        else:
            files.append(item)
    if len(files) == 1 and not os.path.isfile(files[0]):
        raise LiifError(f"{files[0]}: {_missing(files[0])}")
    return files


def _missing(path: Path) -> str:
    return "a broken link (its target does not exist)" if path.is_symlink() else "no such file or folder"


def _refuse_overwriting_inputs(files: list[Path], outputs: list[Path]) -> None:
    """Never write over a photo being read, unless asked to (--overwrite)."""
    sources = {src.resolve(): src for src in files if src.is_file()}
    for dst in outputs:
        if dst.resolve() in sources:
            raise LiifError(
                f"{dst}: would overwrite the input {sources[dst.resolve()]}; choose another output or add --overwrite"
            )


def _output_paths(files: list[Path], output: str, fmt: str | None, batch: bool) -> list[Path]:
    if not batch:
        if fmt:
            raise LiifError("--format is for a folder output; give the output file's own extension instead")
        return [check_output_path(output)]
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise LiifError(f"{folder}: several inputs need an output folder, and this is a file")
    check_writable(folder, folder)
    folder.mkdir(parents=True, exist_ok=True)

    def name(src: Path) -> str:
        if fmt:
            return f"{src.stem}.{fmt}"
        return src.name if src.suffix.lower() in OUTPUT_SUFFIXES else f"{src.stem}.png"

    outputs = [folder / name(src) for src in files]
    if len(set(outputs)) < len(outputs):
        raise LiifError("two inputs would write the same output name; use --format or separate runs")
    return outputs


def _upscale_one(models: pipeline.Models, src: Path, dst: Path, args: argparse.Namespace, position: int) -> None:
    picture: Picture = load_picture(src)
    width, height = args.size or (None, None)
    job = pipeline.check(
        picture, width, height, scale=args.scale, fit=args.fit, pad=args.pad, precision=args.precision,
        quality=Quality.PLUS if args.liif_plus else Quality.STANDARD, photo=PhotoChoice(args.photo), model=args.model,
    )  # fmt: skip
    for note in job.notes:
        _note(f"{dst.name}: {note}")
    if args.model is None and (args.verbose or job.model != PAPER_MODEL or args.photo != PhotoChoice.AUTO.value):
        _note(f"{src.name}: {job.why}")
    if job.picture.alpha is not None and IMAGE_FORMATS.get(dst.suffix.lower()) == "JPEG":
        _note(f"{dst.name}: JPEG has no alpha channel, transparency is dropped")
    pixels = job.width * job.height
    with tqdm(total=pixels, desc=f"{src.name} → {job.width}x{job.height}", unit="px", unit_scale=True, leave=False,
              position=position, disable=None) as bar:  # fmt: skip

        def progress(done: int, total: int) -> None:  # LIIF+ renders fewer pixels than the output has
            bar.update(round(done / total * pixels) - bar.n)

        model = models(job.model)
        views = pipeline.encode(job, model, tile=args.tile)
        run = pipeline.Upscale(job, model, views, progress=progress, measure=args.verbose)
        write_rows(dst, job.width, job.height, run.bands(), job.picture)
    if args.verbose and run.consistency is not None:
        _note(f"{dst.name}: shrunk back to the photo's size, it differs from it by {run.consistency:.2f} levels of 255")


def _upscale(args: argparse.Namespace) -> int:
    files = _expand_inputs(args.inputs)
    # os.path.isdir, not Path.is_dir: it answers False for names the file system refuses (too long).
    batch = len(files) > 1 or len(args.inputs) > 1 or os.path.isdir(args.inputs[0]) or os.path.isdir(args.output)
    outputs = _output_paths(files, args.output, args.format, batch)
    if not args.overwrite:
        _refuse_overwriting_inputs(files, outputs)
    device = pick_device(args.device)
    pad_colour(args.pad)  # a colour that cannot be read is refused before any work
    if args.model is not None and args.photo != PhotoChoice.AUTO.value:
        raise LiifError("--photo chooses between the bundled models; with --model, leave it out")
    if args.precision == "bf16" and not native_bf16(device):
        _note(choose_precision("bf16", device).why)
    if args.tile < 16:
        raise LiifError(f"--tile must be at least 16 pixels, got {args.tile}")
    models = pipeline.Models(device, _note)
    if args.model is not None:
        models(args.model)  # weights that cannot be found or read are refused before any photo
    if not batch:
        _upscale_one(models, files[0], outputs[0], args, 0)
        return 0
    failed = 0
    for src, dst in tqdm(list(zip(files, outputs, strict=True)), desc="images", unit="img", disable=None):
        try:
            if not src.is_file():
                raise LiifError(f"{src}: {_missing(src)}")
            _upscale_one(models, src, dst, args, 1)
        except LiifError as exc:
            failed += 1
            tqdm.write(f"liif: error: {exc}", file=sys.stderr)
    if failed:
        print(f"liif: error: {failed} of {len(files)} images failed", file=sys.stderr)
        return 2
    return 0


def _eval(args: argparse.Namespace) -> int:
    if not Path(args.images).is_dir():
        raise LiifError(f"{args.images}: not a folder")
    paths = _expand_inputs([args.images])
    plot = check_plot_path(Path(args.plot)) if args.plot else None
    device = pick_device(args.device)
    names = [name.strip() for name in (args.model or "").split(",") if name.strip()] or [default_model()]
    methods = {("LIIF" if len(names) == 1 else name): name for name in names}
    models = pipeline.Models(device, _note)
    for name in names:
        if name != pipeline.AUTO_MODEL:
            models(name)  # weights that cannot be found or read are refused before any work
    runs = len(paths) * len(args.scales) * len(args.degrade)
    with tqdm(total=runs, desc="evaluating", unit="run", disable=None) as bar:
        scores, skipped = evaluate(
            methods, paths, args.scales, degradations=args.degrade, protocol=args.protocol, precision=args.precision,
            with_ssim=args.ssim, liif_plus=args.liif_plus, models=models,
            progress=lambda done, _total: bar.update(done - bar.n),
        )  # fmt: skip
    for name, why in skipped:
        _note(f"skipped {name}: {why}")
    if not scores:
        raise LiifError("no image could be evaluated")
    headers, rows = table_rows([*scores, *means(scores)])
    if args.format == "tsv":
        print("\t".join(headers))
        print("\n".join("\t".join(row) for row in rows))
    else:
        print(markdown_table(headers, rows))
    if plot:
        plot_gain(scores, plot)
    return 0


def _info(args: argparse.Namespace) -> int:
    device = pick_device(args.device)
    chosen = choose_precision("auto", device)
    model = _load(None, device)
    rate = measure_rate(model, chosen.compute)
    print(f"device: {device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'})")
    print(f"cpu flags: {speed_flags()}")
    print(f"precision auto: {chosen.compute} ({chosen.why})")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"render speed: {rate / 1e6:.3f} Mpx/s ({chosen.compute}, measured on a small render; grid cached)")
    print(f"detail scale: auto renders LIIF up to x{DETAIL_SCALE} of the photo and enlarges larger outputs from it")
    return 0


def _note(text: str) -> None:
    print(f"liif: note: {text}", file=sys.stderr)


def _resolve(name: str | None) -> Resolved:
    found = resolve(name)
    for note in found.notes:
        _note(note)
    return found


def _load(name: str | None, device: torch.device) -> LIIF:
    return _resolve(name).load(device)


def _weights(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        found = _resolve(args.name)
        found.load()  # a path is only printed once it has loaded as LIIF weights
        print(found.path)
        return 0
    from liif.export import export

    print(export(_resolve(args.name), Path(args.out)))
    return 0


def _terminated(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run as Ctrl-C does: partial files are removed on the way out


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with torch.inference_mode():
            return {"upscale": _upscale, "weights": _weights, "eval": _eval, "info": _info}[args.command](args)
    except LiifError as exc:
        print(f"liif: error: {exc}", file=sys.stderr)
    except MemoryError:
        print("liif: error: out of memory; try a smaller output size or --tile", file=sys.stderr)
    except KeyboardInterrupt:
        print("liif: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 2
