"""The trained model as a Hub-format folder: config.json + model.safetensors (the mixin's), LICENSE, a model card
that says what it was trained on (each photo and its licence), how long, on what machine, and how it scores."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import torch

from liif.errors import LiifError
from liif.io.output import check_writable
from liif.weights.digests import sha256_file
from liif.weights.export import WEIGHTS_LICENSE
from liif.weights.hub import save_folder
from liif.weights.sources import DEFAULT_MODEL, load_model
from training.data import photo_list

CARD = """---
library_name: liif
license: bsd-3-clause
pipeline_tag: image-to-image
tags: [super-resolution, liif, jpeg-artifact-removal, denoising]
base_model: {base}
---

# LIIF for real photos (compressed or noisy)

The paper's EDSR-baseline-LIIF, fine-tuned by this project so that small JPEGs and noisy photos come back
restored instead of with their blocks and grain sharpened. Same architecture and size as the paper's model
(`config.json`), so every path of the `liif` package runs it unchanged: `liif.load_model("<this folder>")`.

## Training

- Start: the official `{base}` weights (github.com/yinboc/liif, BSD-3-Clause).
- Pairs: 48x48 patches of the photos below, shrunk x1-x4 (bicubic, bilinear, Lanczos or box), then a random
  chain of JPEG (quality 25-95, 4:2:0 or 4:4:4), Gaussian or Poisson noise and mild blur, in varied order; a
  share left as clean bicubic shrinks. See `training/patches.py`.
- Settings: {settings}
- Steps: {steps}, {hours:.1f} h of training on {machine}.
- Reproduce: `python -m training fetch && python -m training run --run RUN --seed {seed}`, then
  `python -m training export --run RUN --out FOLDER`.

## Photos

{photos}

Photos marked held-out were never trained on; they measure over-fitting.

## Evaluation

{evaluation}

## Files

| file | sha256 |
|---|---|
{hashes}

## Licence

The weights: BSD-3-Clause, as the official weights they start from. The training photos keep their own licences
(above); the weights hold no copy of them.
"""


def _photos_table() -> str:
    sources, photos = photo_list()
    rows = ["| photo | source | author | licence | split |", "|---|---|---|---|---|"]
    for p in photos:
        source = sources[p.source]
        where = f"{source['registry']} `{source['package']}` {source['version']}"
        rows.append(f"| {p.file} | {where} | {p.author} | {p.licence} | {p.split} |")
    return "\n".join(rows)


def _training_seconds(run: Path) -> float:
    with open(run / "log.csv", newline="") as file:
        return sum(float(row["seconds"]) for row in csv.DictReader(file))


def export(run: Path, out: Path) -> Path:
    """Write ``out`` from the run's last checkpoint; it appears whole or not at all."""
    if not (run / "state.pt").is_file():
        raise LiifError(f"{run}: no checkpoint (state.pt) to export")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise LiifError(f"{out}: exists and is not an empty folder")
    check_writable(out.parent, out)
    state = torch.load(run / "state.pt", weights_only=True)
    model = load_model(DEFAULT_MODEL).load_checked(state["model"])
    settings = json.loads((run / "run.json").read_text())
    machines = (run / "machines.txt").read_text().strip().splitlines() if (run / "machines.txt").is_file() else []
    evaluation = (run / "evaluation.md").read_text().strip() if (run / "evaluation.md").is_file() else "Not measured."
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as tmp:
        folder = Path(tmp)
        save_folder(model, folder)
        shutil.copyfile(WEIGHTS_LICENSE, folder / "LICENSE")
        hashes = "\n".join(f"| {p.name} | {sha256_file(p)} |" for p in sorted(folder.iterdir()))
        text = CARD.format(
            base=DEFAULT_MODEL,
            settings=", ".join(f"{k} {v}" for k, v in settings.items()),
            steps=int(state["step"]),
            hours=_training_seconds(run) / 3600,
            machine="; ".join(dict.fromkeys(line.split(": ", 1)[-1] for line in machines)) or "an unrecorded machine",
            seed=settings["seed"],
            photos=_photos_table(),
            evaluation=evaluation,
            hashes=hashes,
        )
        (folder / "README.md").write_text(text)
        for path in (folder, *folder.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if out.exists():
            out.rmdir()
        shutil.move(str(folder), out)
        folder.mkdir()  # TemporaryDirectory removes the (now empty) name it expects
    return out
