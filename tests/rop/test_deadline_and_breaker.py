"""The client's total deadline per call and its circuit-breaker hook, against ropsim."""

from __future__ import annotations

import threading
import time

import pytest

from rop import RetryPolicy, RopClient, errors

SLOW_RETRY = RetryPolicy(max_retries=5, backoff_base=0.2, backoff_max=0.4, max_retry_after=5.0)


class RecordingBreaker:
    """A breaker that remembers what it was told and refuses calls once told to."""

    def __init__(self) -> None:
        self.reports: list[bool] = []
        self.refuse = False
        self._lock = threading.Lock()

    def before_request(self) -> None:
        if self.refuse:
            raise errors.CircuitOpen("resting", opened_at=time.time(), retry_at=time.time() + 30)

    def record(self, reachable: bool) -> None:
        with self._lock:
            self.reports.append(reachable)


class SlowLimiter:
    """A budget with no token for two seconds, honouring the caller's timeout."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def acquire(self, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)
        if timeout is not None and timeout < 2:
            raise TimeoutError("no token in time")
        time.sleep(2)


def test_it_ends_a_call_to_a_hung_server_within_the_deadline(running, faults):
    uid = next(iter(running.sim.fleet.devices))
    faults.faults(latency_ms=3000)
    with RopClient(running.base_url, timeout=10.0, retry=SLOW_RETRY, deadline=0.8) as client:
        started = time.monotonic()
        with pytest.raises(errors.DeadlineExceeded) as caught:
            client.get_device_name(uid)
    assert 0.7 < time.monotonic() - started < 1.5
    assert caught.value.seconds == 0.8 and isinstance(caught.value, errors.RopUnavailable)


def test_it_starts_no_retry_that_cannot_end_before_the_deadline(running, faults):
    uid = next(iter(running.sim.fleet.devices))
    faults.inject(symbol="server_internal_error", count=10, path=f"/v1.0/devices/{uid}/settings/general-config")
    faults.reset_counters()
    with RopClient(running.base_url, timeout=5.0, retry=SLOW_RETRY, deadline=0.5) as client:
        started = time.monotonic()
        with pytest.raises(errors.ServerInternalError):
            client.get_device_name(uid)
    assert time.monotonic() - started < 0.6
    assert 1 <= faults.count("GET /v1.0/devices/{uid}/settings/general-config") < 6  # not the policy's 6 attempts


def test_it_gives_the_limiter_only_what_is_left_of_the_deadline(running):
    uid = next(iter(running.sim.fleet.devices))
    limiter = SlowLimiter()
    with RopClient(running.base_url, limiter=limiter, deadline=1.0) as client, pytest.raises(TimeoutError):
        client.get_device_name(uid)
    assert limiter.timeouts and limiter.timeouts[0] is not None and limiter.timeouts[0] <= 1.0


def test_it_tells_the_breaker_whether_the_server_answered(running, faults):
    uid = next(iter(running.sim.fleet.devices))
    breaker = RecordingBreaker()
    with RopClient(running.base_url, timeout=0.3, retry=RetryPolicy(max_retries=0), breaker=breaker) as client:
        client.get_device_name(uid)
        faults.inject(symbol="cmd_timeout", path=f"/v1.0/devices/{uid}/settings/general-config")
        with pytest.raises(errors.CommandTimeout):
            client.get_device_name(uid)  # an answer, if an error: the server is there
        faults.inject(symbol="server_internal_error", status=503, path=f"/v1.0/devices/{uid}/settings/general-config")
        with pytest.raises(errors.RopError):
            client.get_device_name(uid)  # a gateway's 503: the server behind it is not
        faults.faults(latency_ms=2000)
        with pytest.raises(errors.RopUnavailable):
            client.get_device_name(uid)
    assert breaker.reports == [True, True, False, False]


def test_it_sends_nothing_while_the_breaker_refuses(running, faults):
    uid = next(iter(running.sim.fleet.devices))
    breaker = RecordingBreaker()
    breaker.refuse = True
    faults.reset_counters()
    with RopClient(running.base_url, breaker=breaker) as client, pytest.raises(errors.CircuitOpen):
        client.get_device_name(uid)
    assert faults.total_requests() == 0 and breaker.reports == []


def _trickle():
    """Headers at once, then the JSON body a byte every 0.1 s: each read answers well
    inside any timeout, the whole takes several seconds."""
    body = b'{"name": "' + b"x" * 60 + b'"}'
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode()
    for byte in body:
        yield bytes([byte])
        time.sleep(0.1)


def test_it_ends_a_call_within_the_deadline_while_the_answer_trickles_in(raw_server):
    with RopClient(raw_server(_trickle), timeout=5.0, retry=SLOW_RETRY, deadline=0.8) as client:
        started = time.monotonic()
        with pytest.raises(errors.DeadlineExceeded):
            client.get_device_name("95270000ACME0001")
    # The whole body would take over 6 s; each byte comes well within the read timeout.
    assert time.monotonic() - started < 1.5
