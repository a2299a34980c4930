"""The request budget: how many requests per second the console may send to one
partner's Core Server, shared by every worker and web process.

Celery's rate_limit is per worker, so the budget lives in Redis: a token bucket
updated atomically by a Lua script, keyed by partner. Without Redis (the embedded
`make run` defaults) each process keeps its own bucket, which is right for the
single local worker.
"""

import threading
import time
from functools import cache

import redis
from django.conf import settings

# Refill the bucket and take one token; answer how long to wait when it is empty.
# Redis's own clock is used so that every host agrees on "now".
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return tostring(wait)
"""


class BudgetTimeout(Exception):
    """The budget stayed exhausted longer than the caller may wait."""


class RequestBudget:
    """A limiter for rop.RopClient(limiter=...): acquire() blocks until a request may go."""

    def __init__(self, key: str, rate: float, *, burst: float | None = None, max_wait: float = 30.0):
        self.key = f"rop-budget:{key}"
        self.rate = max(float(rate), 0.01)
        self.burst = burst if burst is not None else max(1.0, self.rate)
        self.max_wait = max_wait
        self._redis = _redis()
        self._local = _LocalBucket(self.rate, self.burst) if self._redis is None else None

    def try_acquire(self) -> float:
        """Take a token if there is one: 0.0, else the seconds until one is due."""
        if self._redis is None:
            assert self._local is not None  # one or the other, chosen in __init__
            return self._local.take()
        return float(self._redis.eval(_TAKE, 1, self.key, self.rate, self.burst))

    def acquire(self, timeout: float | None = None) -> None:
        """`timeout`: the caller's own bound (what is left of a call's deadline), when
        shorter than max_wait."""
        longest = self.max_wait if timeout is None else min(self.max_wait, timeout)
        deadline = time.monotonic() + longest
        while (wait := self.try_acquire()) > 0:
            if time.monotonic() + wait > deadline:
                raise BudgetTimeout(f"request budget of {self.rate:g}/s exhausted for {longest:g}s")
            time.sleep(min(wait, 1.0))


class _LocalBucket:
    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.ts = burst, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.ts) * self.rate)
            self.ts = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate


@cache
def _redis() -> redis.Redis | None:
    # With timeouts: a Redis outage fails the call within seconds instead of hanging it.
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS) if settings.REDIS_URL else None
