"""A small per-process cache whose entries expire after a fixed number of seconds.

For facts every request needs and that change rarely (who an API token belongs to, the
units a role may see): each process asks the database at most once per `seconds` per
key. The writer of such a fact clears the cache of its own process at once; other
processes see the change within `seconds`. Use it only where that delay is acceptable
and say so where it is used.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_all: weakref.WeakSet[TTLCache[object, object]] = weakref.WeakSet()


class TTLCache(Generic[K, V]):
    def __init__(self, seconds: float, *, max_size: int = 1000) -> None:
        self.seconds = seconds
        self.max_size = max_size
        self._entries: dict[K, tuple[V, float]] = {}
        self._lock = threading.Lock()
        _all.add(self)  # type: ignore[arg-type]

    def get(self, key: K) -> tuple[bool, V | None]:
        """(True, value) while the entry is fresh, else (False, None)."""
        with self._lock:
            hit = self._entries.get(key)
        if hit is None or hit[1] <= time.monotonic():
            return False, None
        return True, hit[0]

    def put(self, key: K, value: V) -> None:
        expires = time.monotonic() + self.seconds
        with self._lock:
            if len(self._entries) >= self.max_size and key not in self._entries:
                self._entries.clear()
            self._entries[key] = (value, expires)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Empty every cache of this process (tests, and after bulk changes)."""
    for cache in list(_all):
        cache.clear()
