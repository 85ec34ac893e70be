"""Foreground first: the work a person is waiting for runs before deep-zoom tiles.

A render, a crop, a line or an explanation counts as foreground while it runs; a LIIF tile starts only
when none does, so the viewer filling in the background never halves the speed of what was clicked. The
priority is bounded: once foreground work has kept the app busy for ``WAIT_SECONDS`` without a pause
(a long render, or many people's requests back to back), tiles share the cores again instead of starving.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

WAIT_SECONDS = 15.0  # the longest stretch of foreground work that tiles wait for


class Foreground:
    def __init__(self, wait_seconds: float = WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._running = 0
        self._busy_since = 0.0  # monotonic time the current stretch of foreground work began
        self._changed = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Mark the enclosed work as foreground."""
        with self._changed:
            if self._running == 0:
                self._busy_since = time.monotonic()
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def wait_idle(self) -> bool:
        """Block until no foreground work runs (True), or until the current stretch of it has lasted
        ``wait_seconds`` (False)."""
        with self._changed:
            while self._running:
                left = self._busy_since + self.wait_seconds - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True
