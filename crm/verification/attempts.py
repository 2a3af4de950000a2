"""Counting failed attempts (codes, passwords) in the cache, in fixed windows.

The cache rather than the database, so that a refused request writes nothing and the counters
expire by themselves. `incr` is atomic on Redis (production); the window's end is kept with
`touch` because some backends reset a key's timeout when they increment it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class AttemptCounter:
    key: str
    window_seconds: int

    @property
    def _since_key(self) -> str:
        return f"{self.key}:since"

    def count(self) -> int:
        return int(cache.get(self.key) or 0)

    def retry_after(self) -> int:
        """Seconds until the window that holds the current failures ends (at least 1)."""
        since = cache.get(self._since_key)
        if since is None:
            return self.window_seconds
        return max(1, int(since + self.window_seconds - time.time()))

    def fail(self) -> int:
        """Count one failure; returns the failures in the current window."""
        now = time.time()
        since = cache.get_or_set(self._since_key, now, timeout=self.window_seconds)
        remaining = max(1, int(since + self.window_seconds - now))
        if cache.add(self.key, 1, timeout=remaining):
            return 1
        try:
            failures = cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.set(self.key, 1, timeout=remaining)
            return 1
        cache.touch(self.key, remaining)
        return failures

    def reset(self) -> None:
        cache.delete_many([self.key, self._since_key])
