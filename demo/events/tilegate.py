"""Deep-zoom tile requests wait in the event loop, never on one of the server's threads.

The viewer calls its tile function over HTTP, outside Gradio's queue. A call that blocked a thread while
a LIIF tile rendered would, many at once, take every thread of the server's shared pool: the page, its
files and every other request would wait behind them. Here a call is admitted up to a bound per page and
in all (past it the answer is "busy" at once, and the viewer asks again a little later), then waits for
its turn without a thread: LIIF tiles render one at a time, classic (bicubic, nearest) tiles beside them.
A call whose tile the viewer drops while it waits leaves at once, so it never holds a place in the bounds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio

BUSY = "The server is busy with other tiles; this one is asked again shortly."
DROPPED = "This tile left the view before it was rendered."
POLL_SECONDS = 0.1  # how often a waiting call looks whether the viewer dropped its tile
PER_PAGE = 8  # calls of one page admitted at once: the viewer sends 2, plus those it dropped that still wait
TOTAL = 32  # calls admitted at once from all pages together
ID_CHARS = 64  # the longest page or tile id kept (ids are the viewer's own short random strings)


async def _turn(limiter: anyio.CapacityLimiter, dropped: Callable[[], bool]) -> bool:
    """Wait for a token of ``limiter`` (True), looking every ``POLL_SECONDS`` whether the tile was dropped
    meanwhile (False, without the token)."""
    while not dropped():
        with anyio.move_on_after(POLL_SECONDS):
            await limiter.acquire()
            return True
    return False


class TileGate:
    def __init__(self, per_page: int = PER_PAGE, total: int = TOTAL) -> None:
        self.per_page, self.total = per_page, total
        self._admitted: Counter[str] = Counter()
        self._limiters: dict[str, anyio.CapacityLimiter] = {}

    def admitted(self) -> int:
        return sum(self._admitted.values())

    async def run(
        self, tile: Callable[[Any], dict[str, str]], request: Any, dropped: Callable[[], bool] = lambda: False
    ) -> dict[str, str]:
        """``tile(request)`` on a worker thread once it is this call's turn, ``{"busy": ...}`` past the bounds,
        or ``{"dropped": ...}`` as soon as ``dropped()`` says the viewer no longer wants it."""
        page = str(request.get("page"))[:ID_CHARS] if isinstance(request, dict) else ""
        if self._admitted[page] >= self.per_page or self.admitted() >= self.total:
            return {"busy": BUSY}
        kind = "classic" if isinstance(request, dict) and request.get("method", "liif") != "liif" else "liif"
        limiter = self._limiter(kind)
        self._admitted[page] += 1  # no await since the check: the event loop runs one call at a time
        try:
            if not await _turn(limiter, dropped):
                return {"dropped": DROPPED}
            try:
                return await anyio.to_thread.run_sync(tile, request)
            finally:
                limiter.release()
        finally:
            self._admitted[page] -= 1
            if not self._admitted[page]:
                del self._admitted[page]

    def _limiter(self, kind: str) -> anyio.CapacityLimiter:
        """Made on first use, inside the server's event loop (anyio binds a limiter to the loop it runs in)."""
        if kind not in self._limiters:
            self._limiters[kind] = anyio.CapacityLimiter(1 if kind == "liif" else 2)
        return self._limiters[kind]
