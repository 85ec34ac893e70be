"""Rendered deep-zoom tiles, kept up to a byte budget so panning back over a photo costs nothing."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class TileCache:
    """A least-recently-used map from a tile's key to its PNG bytes, bounded by the bytes it holds."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.bytes = 0
        self._tiles: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tiles)

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            png = self._tiles.get(key)
            if png is not None:
                self._tiles.move_to_end(key)
            return png

    def put(self, key: Hashable, png: bytes) -> None:
        """Keep a tile, dropping the least recently used ones while over budget; a tile over budget is not kept."""
        if len(png) > self.limit_bytes:
            return
        with self._lock:
            old = self._tiles.pop(key, None)
            self.bytes -= len(old) if old is not None else 0
            self._tiles[key] = png
            self.bytes += len(png)
            while self.bytes > self.limit_bytes:
                _, dropped = self._tiles.popitem(last=False)
                self.bytes -= len(dropped)
