"""Where a model's weights come from, in the order DESIGN.md gives:

1. an explicit path or Hub repo from the user (``--model``, or ``LIIF_WEIGHTS`` for the default model);
2. the deployment's Hub repo (``LIIF_HUB_REPO``, optional ``LIIF_HUB_REVISION``), one folder per model
   name, through the normal Hugging Face cache; ``HF_HUB_OFFLINE=1`` answers from the cache;
3. the bundled copy (EDSR-baseline-LIIF and this project's LIIF for real photos).

Without a network the Hub step gives up within seconds (a short metadata probe, not the client's retry
loop), says so once, and the next step serves. Downloads are checked against their sha256.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from liif.core.model import LIIF
from liif.errors import WeightsError
from liif.weights.checkpoints import CONFIG_FILE, SAFETENSORS_FILE, load_path
from liif.weights.digests import git_blob_sha1, sha256_file

DEFAULT_MODEL = "edsr-baseline-liif"
REAL_PHOTOS_MODEL = "edsr-baseline-liif-real"  # this project's fine-tune for compressed and noisy photos (training/)
MODEL_NAMES = (DEFAULT_MODEL, REAL_PHOTOS_MODEL, "rdn-liif")
BUNDLED = Path(__file__).parents[1] / "bundled"
SHOWN_CHARS = 80  # at most this much of a name is quoted back in a message
PROBE_TIMEOUT = 3.0  # seconds for the Hub metadata probe; the whole fallback stays under 5 s

# sha256 of Hub files we know: the EDSR weights as `weights export` writes them (the bundled copy's bytes).
KNOWN_SHA256 = {
    "edsr-baseline-liif/model.safetensors": "f4ec716052f49c62bbaa76058c318ffb67e54f49e205dc660f48a71a5f26f7ef",
}

HOW_TO_PROVIDE = (
    "download the official rdn-liif.pth (github.com/yinboc/liif) and pass it with --model PATH "
    "(or LIIF_WEIGHTS=PATH), or publish it with `python -m liif weights export` and set LIIF_HUB_REPO"
)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(@[\w./-]+)?$")


@dataclass(frozen=True)
class Hub:
    """Where the deployment's Hub repo is, read from the environment by :meth:`from_env`."""

    repo: str | None = None
    revision: str | None = None
    endpoint: str | None = None  # None: the client's HF_ENDPOINT
    cache_dir: str | None = None  # None: the normal HF cache
    offline: bool = False

    @classmethod
    def from_env(cls) -> Hub:
        repo = os.environ.get("LIIF_HUB_REPO") or None
        return cls(
            repo=repo, revision=os.environ.get("LIIF_HUB_REVISION") or None, offline=repo is not None and _offline()
        )


def _offline() -> bool:
    """HF_HUB_OFFLINE, as the Hub's client reads it (imported only when a Hub repo is in play: the client costs a
    quarter of a second to import, a large part of a small render's whole process)."""
    from huggingface_hub import is_offline_mode

    return is_offline_mode()


@dataclass(frozen=True)
class Resolved:
    """A local path holding a model's weights, where it came from, and what the user should be told.

    Callers decide how to show ``notes`` (CLI lines, app status, warnings); loading is the same for all.
    """

    path: Path
    origin: str  # "path", "hub", "hub cache" or "bundled"
    notes: tuple[str, ...] = field(default=())

    def load(self, device: str | torch.device = "cpu") -> LIIF:
        return load_path(self.path, device=device)


def _exists(path: Path) -> bool:
    """Whether a path exists; a name the file system refuses (too long, a NUL in it) is no path at all."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def default_model() -> str:
    """The model used when none is named: ``LIIF_WEIGHTS`` if set, else :data:`DEFAULT_MODEL`."""
    return os.environ.get("LIIF_WEIGHTS") or DEFAULT_MODEL


def verify(path: Path, expected: str, what: str) -> None:
    """Refuse a file whose content does not hash to ``expected`` (sha256, or a 40-hex git blob id)."""
    # The Hub's ETag is a sha256 for LFS files and a git blob id for small ones.
    got = git_blob_sha1(path) if len(expected) == 40 else sha256_file(path)
    if got != expected:
        raise WeightsError(f"{what}: content hash {got[:12]}… does not match the expected {expected[:12]}…; refused")


def _cached_etag(path: str) -> str:
    """The cache stores each file as a blob named by the server's ETag (sha256 for LFS files)."""
    return Path(os.path.realpath(path)).name


def _split_repo(spec: str) -> tuple[str, str | None]:
    repo, _, revision = spec.partition("@")
    return repo, revision or None


def _download(hub: Hub, subfolder: str | None) -> Resolved:
    """config.json + model.safetensors from a Hub repo (in ``subfolder``), verified; the probe keeps failure fast."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url

    repo = str(hub.repo)
    where = f"{repo}/{subfolder}" if subfolder else repo
    origin = "hub cache" if hub.offline else "hub"
    if not hub.offline:
        url = hf_hub_url(repo, SAFETENSORS_FILE, subfolder=subfolder, revision=hub.revision, endpoint=hub.endpoint)
        get_hf_file_metadata(url, timeout=PROBE_TIMEOUT)
    files = [
        hf_hub_download(
            repo,
            name,
            subfolder=subfolder,
            revision=hub.revision,
            cache_dir=hub.cache_dir,
            local_files_only=hub.offline,
            endpoint=hub.endpoint,
            etag_timeout=PROBE_TIMEOUT,
        )
        for name in (CONFIG_FILE, SAFETENSORS_FILE)
    ]
    for name, file in zip((CONFIG_FILE, SAFETENSORS_FILE), files, strict=True):
        expected = KNOWN_SHA256.get(f"{subfolder}/{name}")
        try:
            verify(Path(file), expected or _cached_etag(file), f"{where}/{name}")
        except WeightsError:
            # Don't leave a bad blob in the cache to be served next time.
            Path(os.path.realpath(file)).unlink(missing_ok=True)
            Path(file).unlink(missing_ok=True)
            raise
    return Resolved(Path(files[0]).parent, origin)


def _why(exc: Exception) -> str:
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(exc, RepositoryNotFoundError | RevisionNotFoundError | EntryNotFoundError):
        return "not found there"
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, WeightsError):
        return str(exc).split(": ", 1)[-1]
    return f"unreachable ({type(exc).__name__})"


def _from_hub(hub: Hub, model_name: str | None) -> Resolved:
    """The files of ``model_name`` (a folder of the repo), or of the repo's root when None."""
    repo = str(hub.repo)
    try:
        return _download(hub, model_name)
    except WeightsError as exc:
        raise WeightsError(f"Hub repo {repo}: {_why(exc)}") from None
    except Exception as exc:  # network and server faults of every kind lead to the same fallback
        if hub.offline:
            raise WeightsError(f"Hub repo {repo}: not in the local cache and HF_HUB_OFFLINE is set") from None
        # The Hub failed: the cache may still hold an earlier good copy.
        try:
            return _download(replace(hub, offline=True), model_name)
        except Exception:
            raise WeightsError(f"Hub repo {repo}: {_why(exc)}") from None


def resolve(name_or_path: str | None = None, *, hub: Hub | None = None) -> Resolved:
    """Find the weights for a model name, a local path or a Hub repo id (``owner/name[@revision]``)."""
    hub = hub or Hub.from_env()
    spec = name_or_path or default_model()
    if spec not in MODEL_NAMES:
        path = Path(spec).expanduser()
        if _exists(path):
            return Resolved(path, "path")
        if _REPO_ID.match(spec):
            repo, revision = _split_repo(spec)
            return _from_hub(replace(hub, repo=repo, revision=revision), None)
        shown = repr(spec) if len(spec) <= SHOWN_CHARS else f"{spec[:SHOWN_CHARS]!r}… ({len(spec)} characters)"
        raise WeightsError(f"{shown} is neither a model name ({', '.join(MODEL_NAMES)}), a path nor a Hub repo id")

    notes: list[str] = []
    if hub.repo:
        try:
            found = _from_hub(hub, spec)
            return Resolved(found.path, found.origin, tuple(notes))
        except WeightsError as exc:
            notes.append(f"{exc}; using the bundled {spec}" if (BUNDLED / spec).is_dir() else str(exc))
    bundled = BUNDLED / spec
    if bundled.is_dir():
        return Resolved(bundled, "bundled", tuple(notes))
    raise WeightsError("; ".join([*notes, f"no weights for {spec!r} on this machine: {HOW_TO_PROVIDE}"]))


def load_model(name_or_path: str | None = None, device: str | torch.device = "cpu") -> LIIF:
    """Load a model by name, path or Hub repo id, ready for :func:`liif.encode`; notes become warnings."""
    found = resolve(name_or_path)
    for note in found.notes:
        warnings.warn(note, stacklevel=2)
    return found.load(device)
