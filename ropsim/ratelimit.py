"""Per-token request budget (token bucket), like a partner's gateway would enforce."""

from __future__ import annotations

import math
import time


class RateLimiter:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def check(self, key: str) -> float | None:
        """Spend one token; return None if allowed, else seconds until the next token."""
        if self.rate <= 0:
            return None
        # Real (monotonic) time: the budget is about actual throughput, not simulated time.
        now = time.monotonic()
        capacity = max(1.0, self.rate)
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return None
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after_header(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
