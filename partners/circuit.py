"""A circuit breaker per Core Server, shared by every worker and web process.

A partner whose Core Server stops answering would otherwise hold every worker and
web thread that calls it for a full timeout each. After ROP_CIRCUIT_FAILURES
failures in a row (no connection, a timeout, a gateway's 502/503/504) the circuit
opens: for ROP_CIRCUIT_OPEN_SECONDS every call fails at once with
rop.errors.CircuitOpen, whose message says since when and until when. Then it is
half-open: one call (the probe) goes through while the others still fail fast; an
answer closes the circuit, another failure opens it again. Any answer at all closes
it, so polling and pages resume as soon as the server is back.

The state lives in Redis (one hash per partner and Core Server URL, so a corrected
URL starts closed), updated by Lua scripts on Redis's clock. Without Redis (the
embedded `make run` defaults) each process keeps its own, as the request budget does.
"""

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import redis
from django.conf import settings
from redis.commands.core import Script

from rop.errors import CircuitOpen

from .models import Partner

# ARGV: probe_seconds. Answers {0} closed and clean, {3} closed after some failures,
# {1, opened_at, retry_at} open, {2} you are the probe.
_CHECK = """
local retry = tonumber(redis.call('HGET', KEYS[1], 'retry_at'))
if not retry then
  if redis.call('EXISTS', KEYS[1]) == 1 then return {3} end
  return {0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local opened = redis.call('HGET', KEYS[1], 'opened_at')
if now < retry then return {1, opened, tostring(retry)} end
local probe = tonumber(redis.call('HGET', KEYS[1], 'probe'))
local probe_seconds = tonumber(ARGV[1])
if probe and now < probe + probe_seconds then return {1, opened, tostring(probe + probe_seconds)} end
redis.call('HSET', KEYS[1], 'probe', tostring(now))
return {2}
"""

# ARGV: threshold, open_seconds. A failure while half-open (the probe's) opens it again.
_FAIL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local retry = tonumber(redis.call('HGET', KEYS[1], 'retry_at'))
local open_seconds = tonumber(ARGV[2])
if (retry and now >= retry) or (not retry and failures >= tonumber(ARGV[1])) then
  if not redis.call('HGET', KEYS[1], 'opened_at') then redis.call('HSET', KEYS[1], 'opened_at', tostring(now)) end
  redis.call('HSET', KEYS[1], 'retry_at', tostring(now + open_seconds))
  redis.call('HDEL', KEYS[1], 'probe')
end
redis.call('EXPIRE', KEYS[1], math.ceil(open_seconds) + 86400)
return failures
"""


@dataclass(frozen=True)
class CircuitState:
    """An open (or half-open) circuit, for the overview."""

    opened_at: datetime
    retry_at: datetime


class CoreServerCircuit:
    """rop.CircuitBreaker for one partner's Core Server."""

    def __init__(self, partner_id: int, base_url: str) -> None:
        digest = hashlib.blake2b(base_url.encode(), digest_size=6).hexdigest()
        self.key = f"rop-circuit:{partner_id}:{digest}"
        self.threshold = max(1, int(settings.ROP_CIRCUIT_FAILURES))
        self.open_seconds = float(settings.ROP_CIRCUIT_OPEN_SECONDS)
        # A probe that never reports (its process died) frees the slot after this.
        self.probe_seconds = float(settings.ROP_TIMEOUT_SECONDS) * 2
        self._redis = _redis()
        # Whether the last check saw any state: a success then clears it. A clean circuit
        # (the usual case) costs one Redis call per request, not two.
        self._dirty = True

    def before_request(self) -> None:
        if self._redis is None:
            answer = _local.check(self.key, self.probe_seconds)
        else:
            answer = _scripts().check(keys=[self.key], args=[self.probe_seconds])
        self._dirty = int(answer[0]) != 0
        if int(answer[0]) == 1:
            opened_at, retry_at = float(answer[1]), float(answer[2])
            raise CircuitOpen(
                f"the Core Server has not answered since {_clock(opened_at)} UTC; "
                f"the console tries it again at {_clock(retry_at)} UTC",
                opened_at=opened_at,
                retry_at=retry_at,
            )

    def record(self, reachable: bool) -> None:
        if reachable:
            if not self._dirty:
                return
            if self._redis is None:
                _local.close(self.key)
            else:
                self._redis.delete(self.key)
            self._dirty = False
        elif self._redis is None:
            _local.fail(self.key, self.threshold, self.open_seconds)
        else:
            _scripts().fail(keys=[self.key], args=[self.threshold, self.open_seconds])

    def state(self) -> CircuitState | None:
        if self._redis is None:
            fields = _local.fields(self.key)
        else:
            raw = self._redis.hgetall(self.key)
            fields = {k.decode(): float(v) for k, v in raw.items() if k in (b"opened_at", b"retry_at")}
        if "retry_at" not in fields or "opened_at" not in fields:
            return None
        return CircuitState(_utc(fields["opened_at"]), _utc(fields["retry_at"]))


def circuit_for(partner: Partner) -> CoreServerCircuit:
    return CoreServerCircuit(partner.id, partner.rop_base_url)


def circuit_state(partner: Partner) -> CircuitState | None:
    """The partner's Core Server circuit when open or half-open, else None."""
    return circuit_for(partner).state()


def close_all_circuits() -> None:
    """Forget every circuit's state (tests, whose partner ids and URLs repeat; or an
    operator in `manage.py shell` who knows the servers are back)."""
    client = _redis()
    if client is not None:
        for key in client.scan_iter("rop-circuit:*", count=1000):
            client.delete(key)
    with _local.lock:
        _local.states.clear()


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _clock(timestamp: float) -> str:
    return _utc(timestamp).strftime("%H:%M:%S")


class _LocalCircuits:
    """The same rules in one process, for when there is no Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[str, dict[str, float]] = {}

    def check(self, key: str, probe_seconds: float) -> tuple[float, ...]:
        with self.lock:
            state = self.states.get(key, {})
            if "retry_at" not in state:
                return (3,) if state else (0,)
            now = time.time()
            if now < state["retry_at"]:
                return (1, state["opened_at"], state["retry_at"])
            if "probe" in state and now < state["probe"] + probe_seconds:
                return (1, state["opened_at"], state["probe"] + probe_seconds)
            state["probe"] = now
            return (2,)

    def fail(self, key: str, threshold: int, open_seconds: float) -> None:
        with self.lock:
            now = time.time()
            state = self.states.setdefault(key, {"failures": 0})
            state["failures"] += 1
            retry = state.get("retry_at")
            if (retry is not None and now >= retry) or (retry is None and state["failures"] >= threshold):
                state.setdefault("opened_at", now)
                state["retry_at"] = now + open_seconds
                state.pop("probe", None)

    def close(self, key: str) -> None:
        with self.lock:
            self.states.pop(key, None)

    def fields(self, key: str) -> dict[str, float]:
        with self.lock:
            return dict(self.states.get(key, {}))


_local = _LocalCircuits()


@dataclass(frozen=True)
class _Scripts:
    check: Script
    fail: Script


@cache
def _scripts() -> _Scripts:
    # Registered once: EVALSHA sends the script's hash, not its text, on every request.
    client = _redis()
    assert client is not None
    return _Scripts(client.register_script(_CHECK), client.register_script(_FAIL))


@cache
def _redis() -> redis.Redis | None:
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS) if settings.REDIS_URL else None
