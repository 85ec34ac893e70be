"""The Ray engine: a batch's photos spread over a Ray cluster with Ray Data.

The photos' paths are a dataset; ``map_batches`` hands them to a pool of actors (a class, so each worker loads
its models once), each renders its photo through the one pipeline and writes it with the same atomic writer as
the local engine, and its manifest record streams back to the driver, which keeps the manifest. Without an
address Ray starts on this machine; with one it joins that cluster and ships this package to it (its nodes need
the same Python packages: ``pip install ".[cluster]"``). Only :mod:`liif.cli` imports this module, and only for
``--engine ray``.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import ray

import liif
from liif import pipeline
from liif.batch.jobs import Item, Options, Record, render_one

ACTORS_START_S = 600  # how long the workers may take to start (import torch, load the models) on a busy cluster


class Renderer:
    """One Ray Data actor: its models, loaded once, and the photos it is handed, one batch of paths at a time."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.models = pipeline.Models("cpu")
        self.node = f"{socket.gethostname()}:{ray.get_runtime_context().get_node_id()[:8]}"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        records = []
        for source, output in zip(batch["source"], batch["output"], strict=True):
            record = render_one(self.models, Item(str(source), str(output)), self.options, engine="ray")
            records.append(json.dumps(asdict(replace(record, node=self.node))))
        return {"record": np.array(records)}


def start(address: str | None, cpus: int | None = None) -> None:
    """Join the cluster at ``address`` (shipping this package to it), or start Ray on this machine."""
    if ray.is_initialized():
        return
    if address:
        ray.init(
            address=address, runtime_env={"py_modules": [str(Path(liif.__file__).parent)]}, logging_level=logging.ERROR
        )
    else:
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.ERROR)


def run_ray(
    items: list[Item],
    options: Options,
    done: Callable[[Record], None],
    *,
    address: str | None = None,
    cpus_per_worker: int = 1,
) -> None:
    """Render ``items`` on Ray, telling ``done`` each record as it comes back (Ray shows its own progress)."""
    if not items:
        return
    start(address)
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // cpus_per_worker)
    # Every worker loads its models before any photo is handed out, so the first to start does not take them all.
    ray.data.DataContext.get_current().wait_for_min_actors_s = ACTORS_START_S
    rows: list[dict[str, Any]] = [{"source": item.source, "output": item.output} for item in items]
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
    rendered = dataset.map_batches(
        Renderer,
        fn_constructor_kwargs={"options": options},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=min(workers, len(rows))),
        num_cpus=cpus_per_worker,
        runtime_env={"env_vars": {"OMP_NUM_THREADS": str(cpus_per_worker)}},
    )
    for row in rendered.iter_rows():
        done(Record(**json.loads(row["record"])))
