"""The default throttle of every operation: one counter per caller and fixed window.

DRF's `AnonRateThrottle` + `UserRateThrottle` keep a list of timestamps per caller (up to the
rate's count, read and rewritten on every request) and both run for an anonymous caller. This
counts instead: the `user` rate per signed-in user, the `anon` rate per client IP, one cache
round trip per request on Redis. A fixed window lets a caller send up to twice the rate across a
window boundary; for a rate limit against abuse that is good enough.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle


def counter_hit(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout` seconds to live) and return it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(redis_key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(redis_key, 0, ex=timeout, nx=True)
        pipeline.incr(redis_key)
        return pipeline.execute()[1]
    backend.add(key, 0, timeout)
    try:
        return backend.incr(key)
    except ValueError:  # expired between the two calls
        backend.add(key, 1, timeout)
        return 1


class RequestRateThrottle(SimpleRateThrottle):
    """`user` rate for a signed-in caller (by user id), `anon` rate otherwise (by client IP)."""

    def __init__(self) -> None:
        # The scope depends on the request; the rate is read in allow_request.
        self.wait_seconds: float | None = None

    def allow_request(self, request, view) -> bool:
        user = request.user
        if user is not None and user.is_authenticated:
            scope, ident = "user", str(user.pk)
        else:
            scope, ident = "anon", self.get_ident(request)
        rate = self.THROTTLE_RATES.get(scope)
        if rate is None:
            return True
        limit, period = self.parse_rate(rate)
        now = time.time()
        window = int(now // period)
        count = counter_hit(f"throttle:{scope}:{ident}:{window}", timeout=period)
        if count > limit:
            self.wait_seconds = (window + 1) * period - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
