"""The local engine: the batch's photos one after another in this process, each model loaded once."""

from __future__ import annotations

from collections.abc import Callable

import torch

from liif import pipeline
from liif.batch.jobs import Item, Options, Record, render_one


def run_local(
    items: list[Item],
    options: Options,
    device: torch.device,
    done: Callable[[Record], None],
    notes: Callable[[str], None],
) -> None:
    """Render ``items``, telling ``done`` each record as it is made (the caller keeps the manifest and the bar)."""
    models = pipeline.Models(device, notes)
    for item in items:
        done(render_one(models, item, options))
