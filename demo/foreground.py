"""Foreground first: the work a person is waiting for runs before deep-zoom tiles.

A render, a crop, a line or an explanation counts as foreground while it runs; a LIIF tile starts only
when none does, so the viewer filling in the background never halves the speed of what was clicked. The
wait is bounded: a foreground event that never ends (it cannot, but a bug might) delays tiles, not stops them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

WAIT_SECONDS = 30.0  # the longest a tile waits for foreground work before it renders anyway


class Foreground:
    def __init__(self) -> None:
        self._running = 0
        self._changed = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Mark the enclosed work as foreground."""
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout: float = WAIT_SECONDS) -> bool:
        """Block until no foreground work runs (True) or ``timeout`` seconds have passed (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._running == 0, timeout)
