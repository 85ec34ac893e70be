"""The fine-tuning run: from the official weights, on degraded patches of the listed photos, resumable.

A run lives in one folder: ``state.pt`` (weights, optimiser, step; tensors only, loaded with
``weights_only=True``), ``log.csv`` (step, loss, learning rate, seconds), and ``run.json`` (the settings it
started with; a resumed run must match them). Step ``n``'s patches come from a generator seeded by
``(seed, n)``, so a run that resumes draws exactly the patches an unbroken run would have drawn.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from liif.core.hardware import cpu_capability, native_bf16, speed_flags
from liif.core.model import LIIF
from liif.errors import LiifError
from liif.io.output import atomic_output
from training.forward import predict
from training.patches import make_pair


@dataclass(frozen=True)
class Settings:
    seed: int = 0
    steps: int = 4000
    batch: int = 8
    lr: float = 1e-4
    final_lr: float = 1e-5  # cosine decay to this by the last step
    checkpoint_every: int = 50


def learning_rate(settings: Settings, step: int) -> float:
    """Cosine from ``lr`` to ``final_lr`` over the run."""
    t = min(step / max(settings.steps, 1), 1.0)
    return settings.final_lr + (settings.lr - settings.final_lr) * (1 + math.cos(math.pi * t)) / 2


def batch_at(
    photos: list[np.ndarray], weights: np.ndarray, seed: int, step: int, size: int
) -> tuple[torch.Tensor, ...]:
    """Step ``step``'s patches: photos drawn by area, each pair as :func:`training.patches.make_pair` makes it."""
    rng = np.random.default_rng([seed, step])
    pairs = [make_pair(photos[int(rng.choice(len(photos), p=weights))], rng) for _ in range(size)]
    return tuple(torch.stack([getattr(p, f) for p in pairs]) for f in ("patch", "coords", "cell", "rgb"))


def _save(folder: Path, model: LIIF, optimiser: torch.optim.Optimizer, step: int) -> None:
    state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step}
    with atomic_output(folder / "state.pt") as partial:
        torch.save(state, partial)


def _trim_log(path: Path, step: int) -> None:
    """Drop the log's rows past the checkpoint a run resumes from: those steps run again."""
    if not path.is_file():
        return
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    kept = [rows[0], *(row for row in rows[1:] if int(row[0]) <= step)]
    with atomic_output(path) as partial, open(partial, "w", newline="") as file:
        csv.writer(file).writerows(kept)


def _check_settings(folder: Path, settings: Settings) -> None:
    record = folder / "run.json"
    if record.is_file():
        before = Settings(**json.loads(record.read_text()))
        if before != settings:
            raise LiifError(f"{folder} holds a run with other settings ({before}); use another folder")
    else:
        record.write_text(json.dumps(asdict(settings), indent=1) + "\n")


def train(
    model: LIIF,
    photos: list[np.ndarray],
    folder: Path,
    settings: Settings,
    until: int | None = None,
    on_checkpoint: Callable[[int], None] | None = None,
) -> int:
    """Train ``model`` in place, resuming from ``folder`` if a run is there, up to step ``until`` (default: the
    run's last); returns the step reached. A checkpoint every ``checkpoint_every`` steps and at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    _check_settings(folder, settings)
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=settings.lr)
    step = 0
    if (folder / "state.pt").is_file():
        state = torch.load(folder / "state.pt", weights_only=True)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step = int(state["step"])
    _trim_log(folder / "log.csv", step)
    areas = np.array([p.shape[0] * p.shape[1] for p in photos], dtype=np.float64)
    weights = areas / areas.sum()
    last = min(until or settings.steps, settings.steps)
    bf16 = native_bf16(torch.device("cpu"))
    with open(folder / "machines.txt", "a") as machines:
        cpu = f"{torch.get_num_threads()} threads, {cpu_capability()}, {speed_flags()}, {'bf16' if bf16 else 'fp32'}"
        machines.write(f"from step {step}: CPU ({cpu})\n")
    model.train()
    new_log = not (folder / "log.csv").is_file()
    with (
        open(folder / "log.csv", "a", newline="") as log_file,
        tqdm(total=last, initial=step, desc="training", unit="step", disable=None) as bar,
    ):
        log = csv.writer(log_file)
        if new_log:
            log.writerow(["step", "loss", "lr", "seconds"])
        while step < last:
            start = time.perf_counter()
            patches, coords, cell, rgb = batch_at(photos, weights, settings.seed, step, settings.batch)
            lr = learning_rate(settings, step)
            for group in optimiser.param_groups:
                group["lr"] = lr
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                pred = predict(model, patches, coords, cell)
            loss = (pred.float() - (rgb - 0.5) / 0.5).abs().mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            step += 1
            log.writerow([step, f"{loss.item():.5f}", f"{lr:.3g}", f"{time.perf_counter() - start:.2f}"])
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.4f}")
            if step % settings.checkpoint_every == 0 or step == last:
                log_file.flush()
                os.fsync(log_file.fileno())
                _save(folder, model, optimiser, step)
                if on_checkpoint:
                    on_checkpoint(step)
    model.eval()
    return step
