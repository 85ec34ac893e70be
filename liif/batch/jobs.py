"""A batch of photos, whichever engine runs it: what to render, what is already done, and the record of it.

An output is written atomically (:func:`liif.io.output.write_rows`), so a file that exists is whole: a rerun
skips it. Every photo rendered or refused adds a line to ``OUT/manifest.jsonl`` (input, output, size, model,
precision, seconds, error), so an archive's run says what it did, and one bad file never stops the rest.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from liif import pipeline
from liif.core.grid import Progress
from liif.errors import LiifError
from liif.io.images import load_picture
from liif.io.output import write_rows
from liif.pipeline import Quality
from liif.pipeline.condition import PhotoChoice

MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class Options:
    """How every photo of the batch is upscaled: :func:`liif.pipeline.check`'s options, and the encoder tile."""

    size: tuple[int, int] | None = None
    scale: float | None = None
    fit: str = "stretch"
    pad: str = "black"
    quality: Quality = Quality.STANDARD
    precision: str = "auto"
    photo: PhotoChoice = PhotoChoice.AUTO
    model: str | None = None
    tile: int = 256
    dpi: float | None = None  # the print resolution written into the output (PNG, JPEG, WebP)


@dataclass(frozen=True)
class Item:
    source: str
    output: str


@dataclass(frozen=True)
class Record:
    """One line of the manifest: a photo rendered (its size, model, precision, seconds) or why it was not."""

    input: str
    output: str
    size: list[int] | None = None  # [width, height]
    model: str | None = None
    precision: str | None = None
    seconds: float = 0.0
    error: str | None = None
    engine: str = "local"
    node: str | None = None  # the machine that rendered it (Ray: host and node id)
    notes: list[str] = field(default_factory=list)  # what the person should know: the model chosen and why, ...
    consistency: float | None = None  # measured: how far the result, shrunk back, is from the photo (levels)


def missing(path: Path) -> str:
    """Why ``path`` is not a photo to read: a broken link, a special file (a pipe, a device), or nothing."""
    if path.is_symlink() and not path.exists():
        return "a broken link (its target does not exist)"
    if path.exists():
        return "not a regular file (a pipe, a device or a socket): give a photo's file"
    return "no such file or folder"


def pending(items: list[Item], force: bool = False) -> tuple[list[Item], int]:
    """The items still to render, and how many were skipped because their output is already there (whole:
    written atomically). ``force`` renders them all again."""
    todo = [item for item in items if force or not os.path.isfile(item.output)]
    return todo, len(items) - len(todo)


def render_one(
    models: pipeline.Models,
    item: Item,
    options: Options,
    *,
    engine: str = "local",
    progress: Progress | None = None,
    measure: bool = False,
) -> Record:
    """One photo through the pipeline into its output file; a photo that cannot be done is a record with its
    one-line error, not an exception. ``measure``: also how far the result, shrunk back, is from the photo."""
    start = time.perf_counter()
    try:
        if not os.path.isfile(item.source):
            raise LiifError(f"{item.source}: {missing(Path(item.source))}")
        picture = load_picture(item.source)
        width, height = options.size or (None, None)
        job = pipeline.check(picture, width, height, scale=options.scale, fit=options.fit, pad=options.pad,
                             quality=options.quality, precision=options.precision, photo=options.photo,
                             model=options.model)  # fmt: skip
        model = models(job.model)
        run = pipeline.Upscale(job, model, pipeline.encode(job, model, tile=options.tile), progress=progress,
                               measure=measure)  # fmt: skip
        write_rows(item.output, job.width, job.height, run.bands(), job.picture, dpi=options.dpi)
    except (LiifError, MemoryError) as exc:
        error = str(exc) if isinstance(exc, LiifError) else "out of memory"
        return Record(item.source, item.output, seconds=round(time.perf_counter() - start, 3), error=error,
                      engine=engine)  # fmt: skip
    notes = [job.why, *job.notes]
    suffix = Path(item.output).suffix.lower()
    if job.picture.alpha is not None and suffix in (".jpg", ".jpeg"):
        notes.append("JPEG has no alpha channel, transparency is dropped (flattened onto white)")
    if job.picture.alpha is not None and suffix == ".npy":
        margins = ": fit's transparent margins are black" if job.pad is None and job.placement.padded else ""
        notes.append(f"NPY holds RGB only, transparency is dropped{margins}")
    return Record(item.source, item.output, [job.width, job.height], job.model, options.precision,
                  round(time.perf_counter() - start, 3), None, engine, notes=notes,
                  consistency=run.consistency)  # fmt: skip


class Manifest:
    """``manifest.jsonl`` in the output folder, a line appended (and flushed) per photo as it is done."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST
        self._file = self.path.open("a", encoding="utf-8")

    def add(self, record: Record) -> None:
        self._file.write(json.dumps(asdict(record)) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_manifest(folder: Path) -> list[Record]:
    """Every record of the folder's manifest, oldest first."""
    path = folder / MANIFEST
    if not path.is_file():
        return []
    return [Record(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
