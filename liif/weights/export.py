"""Writing a Hub-ready folder: config.json + model.safetensors (by the Hub mixin), a model card, a licence."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from liif.errors import WeightsError
from liif.io.output import check_writable
from liif.weights.digests import sha256_file
from liif.weights.hub import model_card, save_folder
from liif.weights.sources import BUNDLED, Resolved

WEIGHTS_LICENSE = BUNDLED / "edsr-baseline-liif" / "LICENSE"  # BSD-3-Clause of the official weights' authors


def export(found: Resolved, out: Path) -> Path:
    """Write ``out`` as a Hub-format model folder; it appears whole or not at all."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise WeightsError(f"{out}: exists and is not an empty folder; choose a new --out")
    check_writable(out.parent, out)
    source, model = found.path, found.load()
    architecture = model.spec["encoder_spec"]["name"]
    described = (
        f"{source.name} (sha256 {sha256_file(source)})" if source.is_file() else f"the Hub-format folder {source.name}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as tmp:
        folder = Path(tmp)
        save_folder(model, folder)
        shutil.copyfile(WEIGHTS_LICENSE, folder / "LICENSE")
        hashes = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.name != "README.md"}
        card = model_card(
            model,
            title=f"LIIF with the {architecture} encoder",
            architecture=f"{architecture} encoder (no upsampling tail) + 4x256 ReLU MLP, local ensemble, cell decoding",
            source=f"converted with `python -m liif weights export` from {described}",
            hashes=hashes,
        )
        card.save(folder / "README.md")
        if out.exists():
            out.rmdir()
        for path in (folder, *folder.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.move(str(folder), out)
        folder.mkdir()  # let TemporaryDirectory clean up the (now empty) name it expects
    return out
