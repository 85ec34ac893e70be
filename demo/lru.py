"""The one cache shape the app uses: least recently used first out, bounded in count and in size.

Decoded photos, latent grids, deep-zoom tile PNGs and the tile ids the viewer dropped are all kept in one of
these, so a cache can never grow without bound, whatever a client sends.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """At most ``max_items`` values and ``max_size`` of ``size(value)`` in all (either bound may be None).

    ``keep_newest``: the value just put stays even if it alone is over ``max_size`` (a photo's only grid);
    otherwise such a value is not kept at all (a tile larger than the whole budget). ``evicted`` is told each
    key that leaves, so state kept beside the cache can follow it.
    """

    def __init__(
        self,
        max_items: int | None = None,
        max_size: int | None = None,
        size: Callable[[V], int] = lambda _: 1,
        *,
        keep_newest: bool = False,
        evicted: Callable[[K], None] = lambda _: None,
    ) -> None:
        self.max_items, self.max_size, self._sizeof = max_items, max_size, size
        self.keep_newest, self._evicted = keep_newest, evicted
        self.size = 0
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def values(self) -> Iterator[V]:
        with self._lock:
            return iter(list(self._values.values()))

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            value = self._values.pop(key, None)
            if value is not None:
                self.size -= self._sizeof(value)
            return value

    def put(self, key: K, value: V) -> None:
        size = self._sizeof(value)
        if self.max_size is not None and size > self.max_size and not self.keep_newest:
            return
        gone = []
        with self._lock:
            old = self._values.pop(key, None)
            self.size += size - (self._sizeof(old) if old is not None else 0)
            self._values[key] = value
            while len(self._values) > 1 and self._over():
                oldest, dropped = self._values.popitem(last=False)
                self.size -= self._sizeof(dropped)
                gone.append(oldest)
        for oldest in gone:
            self._evicted(oldest)

    def _over(self) -> bool:
        return (self.max_items is not None and len(self._values) > self.max_items) or (
            self.max_size is not None and self.size > self.max_size
        )
