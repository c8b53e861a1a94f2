"""Rate limits of the API: requests a minute per token, and per address for callers without a valid token.

A sliding window of the last minute, kept in the server process's memory: behind several processes each
counts its own requests, so the limit a client meets is the setting times the number of processes (see
docs/api.md, "Rate limits"). A request over the limit is refused with 429, ``Retry-After`` (whole seconds
until the oldest request of the window leaves it) and the documented error shape; nothing is done.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from ..core.errors import TooManyAttempts
from ..core.i18n import N_

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # beyond this many callers in a window, the quietest are forgotten


class RateLimited(TooManyAttempts):
    code = "rate_limited"

    def __init__(self, limit: int, retry_after: int, per: str) -> None:
        if per == "token":
            message = N_(
                "Too many requests with this API token: at most %(limit)s a minute. Try again in %(seconds)s seconds.",
                limit=limit,
                seconds=retry_after,
            )
        else:
            message = N_(
                "Too many requests from your network address: at most %(limit)s a minute. "
                "Try again in %(seconds)s seconds.",
                limit=limit,
                seconds=retry_after,
            )
        super().__init__(message)
        self.retry_after_seconds = retry_after


class SlidingWindow:
    """The times of each caller's requests within the last minute."""

    def __init__(self, clock=time.monotonic) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def hit(self, key: str, limit: int) -> int | None:
        """Count a request of ``key``; None if it is within ``limit`` a minute, else the seconds to wait."""
        if limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            times = self._hits.get(key)
            if times is None:
                if len(self._hits) >= MAX_KEYS:
                    self._forget_idle(now)
                times = self._hits[key] = deque()
            while times and times[0] <= now - WINDOW_SECONDS:
                times.popleft()
            if len(times) >= limit:
                return max(1, math.ceil(times[0] + WINDOW_SECONDS - now))
            times.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, times in self._hits.items() if not times or times[-1] <= now - WINDOW_SECONDS]:
            del self._hits[key]
        while len(self._hits) >= MAX_KEYS:
            self._hits.pop(next(iter(self._hits)))


def check(window: SlidingWindow, key: str, limit: int, per: str) -> None:
    retry_after = window.hit(key, limit)
    if retry_after is not None:
        raise RateLimited(limit, retry_after, per)
