"""Giving memory back: a server that decoded one huge photo should not hold that memory for ever.

glibc serves large blocks from the heap once its mmap threshold has grown (it grows each time a large
mmapped block is freed), and heap memory freed in the middle stays with the process. Fixing the threshold
at 1 MB keeps every large buffer (decoded photos, renders, request bodies) in its own mapping, returned to
the system as soon as it is freed; ``malloc_trim`` returns what the heap still holds after a big render.
Where there is no glibc (macOS, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from typing import Any

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
MMAP_THRESHOLD = 1 << 20


@functools.cache
def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold at 1 MB (see above); True if it was set."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def give_back() -> None:
    """Collect garbage and return the heap's free memory to the system (after a big request)."""
    gc.collect()
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)
