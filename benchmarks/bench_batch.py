"""An archive on each engine, side by side: 40 photos rendered by the local engine and by Ray on this machine,
then on a simulated two-node cluster (how the work spread over the nodes).

Each run is the whole command (``liif upscale FOLDER -o OUT --engine ...``): starting Ray, its workers loading
the model, the renders, the manifest. The photos are crops of the example photos (240x160, x3).

    python benchmarks/bench_batch.py [--photos 40] [--scale 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import EXAMPLES, ROOT, photos
from PIL import Image

from liif.batch.jobs import read_manifest
from liif.core.hardware import choose_precision, cpu_capability, speed_flags
from liif.io.tables import markdown_table as table


def make_photos(folder: Path, count: int) -> None:
    sources = [Image.open(p).convert("RGB") for p in photos(EXAMPLES)]
    for i in range(count):
        image = sources[i % len(sources)]
        left, top = (i * 37) % (image.width - 240), (i * 23) % (image.height - 160)
        image.crop((left, top, left + 240, top + 160)).save(folder / f"photo_{i:03}.png")


def run(folder: Path, out: Path, scale: float, *engine: str) -> float:
    command = [sys.executable, "-m", "liif", "upscale", str(folder), "-o", str(out), "--scale", str(scale), *engine]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def two_nodes(folder: Path, out: Path, scale: float) -> Counter[str]:
    import ray
    from ray.cluster_utils import Cluster

    from liif.batch.jobs import Item, Options
    from liif.batch.ray_engine import run_ray

    out.mkdir()  # the CLI makes its output folder before the engine runs
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    try:
        cluster.wait_for_nodes()
        items = [Item(str(p), str(out / p.name)) for p in sorted(folder.glob("*.png"))]
        records: list = []
        run_ray(items, Options(scale=scale), records.append, address=cluster.address)
        return Counter(f"{r.node} ({'failed' if r.error else 'rendered'})" for r in records)
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--scale", type=float, default=3)
    args = parser.parse_args()
    import torch

    auto = choose_precision("auto", torch.device("cpu")).compute
    print(f"flags {speed_flags()}, torch ISA {cpu_capability()}, auto = {auto}, {torch.get_num_threads()} cores\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        make_photos(folder, args.photos)
        local = run(folder, Path(tmp) / "local", args.scale)
        on_ray = run(folder, Path(tmp) / "ray", args.scale, "--engine", "ray")
        done = len([r for r in read_manifest(Path(tmp) / "ray") if not r.error])
        rows = [
            [f"local engine, {args.photos} photos", f"{local:.1f}", f"{args.photos / local:.2f}", "1.00x"],
            [f"Ray on this machine ({done} done)", f"{on_ray:.1f}", f"{done / on_ray:.2f}", f"{local / on_ray:.2f}x"],
        ]
        print(table(["engine (whole command)", "seconds", "photos/s", "throughput vs local"], rows), end="\n\n")
        spread = two_nodes(folder, Path(tmp) / "cluster", args.scale)
        print(table(["simulated two-node cluster: node", "photos"], [[n, str(c)] for n, c in spread.items()]))


if __name__ == "__main__":
    main()
