"""``python -m liif``: upscale photos, fetch and export weights, evaluate.

Any bad input or argument ends with exit status 2 and one line on stderr, never a traceback, and never
leaves a partial output file.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import torch
from tqdm import tqdm

from liif import pipeline
from liif.arguments import INPUT_SUFFIXES, build_parser
from liif.batch.jobs import Item, Manifest, Options, Record, missing, pending, render_one
from liif.batch.local import run_local
from liif.core.enlarge import DETAIL_SCALE
from liif.core.hardware import choose_precision, native_bf16, pick_device, speed_flags
from liif.core.model import LIIF
from liif.core.render import measure_rate
from liif.errors import LiifError
from liif.io.output import OUTPUT_SUFFIXES, check_output_path, check_writable
from liif.io.tables import markdown_table
from liif.pipeline.condition import PAPER_MODEL, PhotoChoice
from liif.pipeline.layout import pad_colour
from liif.pipeline.run import Quality
from liif.views.evaluation import check_plot_path, evaluate, means, plot_gain, table_rows
from liif.weights.sources import Resolved, default_model, resolve


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
        raise LiifError(f"{files[0]}: {missing(files[0])}")
    return files


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


def _options(args: argparse.Namespace) -> Options:
    return Options(
        size=args.size, scale=args.scale, fit=args.fit, pad=args.pad, precision=args.precision, tile=args.tile,
        dpi=args.dpi,
        quality=Quality.PLUS if args.liif_plus else Quality.STANDARD, photo=PhotoChoice(args.photo), model=args.model,
    )  # fmt: skip


def _said(record: Record, args: argparse.Namespace) -> list[str]:
    """A record's notes as the CLI says them: the model's choice only when it is not the paper's model on a clean
    photo, chosen by auto (or with --verbose), and how far the result is from the photo with --verbose."""
    name = Path(record.output).name
    chose_quietly = args.model is None and record.model == PAPER_MODEL and args.photo == PhotoChoice.AUTO.value
    why, *notes = record.notes
    said = [] if (chose_quietly and not args.verbose) or args.model else [f"{Path(record.input).name}: {why}"]
    said += [f"{name}: {note}" for note in notes]
    if args.verbose and record.consistency is not None:
        said.append(f"{name}: shrunk back to the photo's size, it differs from it by {record.consistency:.2f} levels")
    return said


def _upscale_one(models: pipeline.Models, item: Item, args: argparse.Namespace) -> None:
    """One photo, with a bar over its pixels; its error ends the run (exit 2)."""
    with tqdm(desc=Path(item.source).name, unit="px", unit_scale=True, leave=False, disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        record = render_one(models, item, _options(args), progress=progress, measure=args.verbose)
    if record.error:
        raise LiifError(record.error)
    for note in _said(record, args):
        _note(note)


def _batch(items: list[Item], folder: Path, device: torch.device, args: argparse.Namespace) -> int:
    """Several photos on the chosen engine: what is done is skipped, every photo is in the manifest, one bad file
    never stops the rest; exit 2 if any failed."""
    todo, skipped = pending(items, args.force)
    if skipped:
        _note(f"{skipped} of {len(items)} outputs are already there (written whole): skipped; --force renders again")
    manifest, failed = Manifest(folder), []
    bar = tqdm(total=len(todo), desc="images", unit="img", disable=True if args.engine == "ray" else None)

    def done(record: Record) -> None:
        manifest.add(record)
        bar.update(1)
        if record.error:
            failed.append(record)
            tqdm.write(f"liif: error: {record.error}", file=sys.stderr)

    try:
        if args.engine == "ray":
            from liif.batch.ray_engine import run_ray  # Ray is an extra: imported only when asked for

            run_ray(todo, _options(args), done, address=args.ray_address)
        else:
            run_local(todo, _options(args), device, done, _note)
    finally:
        bar.close()
        manifest.close()
    if failed:
        print(f"liif: error: {len(failed)} of {len(todo)} images failed (see {manifest.path})", file=sys.stderr)
        return 2
    return 0


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
    if args.engine == "ray" and importlib.util.find_spec("ray") is None:
        raise LiifError("--engine ray needs Ray: pip install '.[cluster]' (or 'ray[data]')")
    if args.precision == "bf16" and not native_bf16(device):
        _note(choose_precision("bf16", device).why)
    if args.tile < 16:
        raise LiifError(f"--tile must be at least 16 pixels, got {args.tile}")
    models = pipeline.Models(device, _note)
    if args.model is not None:
        models(args.model)  # weights that cannot be found or read are refused before any photo
    items = [Item(str(src), str(dst)) for src, dst in zip(files, outputs, strict=True)]
    if not batch:
        _upscale_one(models, items[0], args)
        return 0
    return _batch(items, Path(args.output), device, args)


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
    from liif.weights.export import export

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
