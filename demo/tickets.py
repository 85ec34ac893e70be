"""Superseding: the newest render a browser session asked for wins.

A click on Upscale (or Stop) takes a new ticket at once, outside the queue. A render holds the ticket it
was started with and checks it at every progress step (about every 1,024 pixels): once a newer ticket
exists it stops there, so the render slot is free for the next request within a fraction of a second.
"""

from __future__ import annotations

import itertools
import threading

from demo.lru import BoundedLRU


class SupersededError(Exception):
    """A newer request of the same session (or its Stop button) replaced this render."""

    def __init__(self, stopped: bool) -> None:
        super().__init__("stopped" if stopped else "superseded")
        self.stopped = stopped  # True: the person pressed Stop; False: a newer render took over


class Tickets:
    def __init__(self, sessions: int = 4096) -> None:
        # per session, its newest ticket and whether Stop took it; the least recently used session is forgotten
        self._latest: BoundedLRU[str, tuple[int, bool]] = BoundedLRU(sessions)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def take(self, session: str, *, stop: bool = False) -> int:
        """A new ticket for ``session``; every older one is now stale (``stop``: because of Stop)."""
        with self._lock:
            number = next(self._numbers)
            self._latest.put(session, (number, stop))
            return number

    def newest(self, session: str) -> int | None:
        with self._lock:
            newest = self._latest.get(session)
            return newest[0] if newest else None

    def check(self, session: str, ticket: int) -> None:
        """Raise :class:`SupersededError` if ``ticket`` is no longer the session's newest."""
        latest, stopped = self._latest.get(session) or (ticket, False)
        if latest != ticket:
            raise SupersededError(stopped)
