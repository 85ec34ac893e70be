"""Content hashes: one place for "hash a file", used to verify downloads, describe exports and key caches."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

_BLOCK = 1 << 20


def _feed(digest: Any, path: Path) -> str:
    """Hash a file in blocks, so a large checkpoint is never held whole."""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    return _feed(hashlib.sha256(), path)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The id git gives a file (and the Hub's ETag for small, non-LFS files): sha1 of a ``blob`` header + bytes."""
    return _feed(hashlib.sha1(b"blob %d\0" % path.stat().st_size), path)
