"""Retry policy: 429 (Retry-After honoured), 5xx and network failures; per-method idempotence; limiter."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading
import time

import pytest

from rop import RetryPolicy, RopClient, errors
from rop.transport import RetryPolicy as TransportRetryPolicy

NAME_GET = "GET /v1.0/devices/{uid}/settings/general-config"


class CountingLimiter:
    """A request budget that only counts (a Redis limiter plugs in the same way)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            self.calls += 1


@pytest.fixture
def limiter() -> CountingLimiter:
    return CountingLimiter()


@pytest.fixture
def retrying(running, limiter):
    policy = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02, max_retry_after=5.0)
    with RopClient(running.base_url, timeout=5.0, retry=policy, limiter=limiter) as rop_client:
        yield rop_client


def test_it_waits_out_retry_after_on_429_and_then_succeeds(retrying, faults, ptz_camera):
    faults.faults(rate_limit=1)  # the gateway's budget: one request per second
    faults.reset_counters()
    retrying.get_device_name(ptz_camera)  # spends the only token
    started = time.monotonic()
    retrying.get_device_name(ptz_camera)  # 429 with Retry-After: 1, then a retry
    elapsed = time.monotonic() - started
    assert elapsed >= 1.0
    # Usually one 429; a token bucket refilling a hair late may answer a second one.
    assert faults.count(NAME_GET, 429) >= 1
    assert faults.count(NAME_GET, 200) == 2


def test_it_retries_a_429_even_for_calls_that_are_not_idempotent(retrying, faults, ptz_camera, limiter):
    faults.inject(symbol="frequent_request", path="/v1.0/devices/{uid}/live/play-session", retryAfter=0)
    faults.reset_counters()
    session = retrying.create_live_session(ptz_camera, 0, "mainStream")
    assert session.play_url
    route = "POST /v1.0/devices/{uid}/live/play-session"
    assert (faults.count(route, 429), faults.count(route, 200)) == (1, 1)
    assert limiter.calls == 2


def test_it_raises_at_once_on_a_retry_after_longer_than_the_policy_allows(retrying, faults, ptz_camera):
    faults.inject(symbol="frequent_request", path="/v1.0/devices/{uid}/settings/general-config", retryAfter=120)
    faults.reset_counters()
    started = time.monotonic()
    with pytest.raises(errors.FrequentRequest) as caught:
        retrying.get_device_name(ptz_camera)
    assert time.monotonic() - started < 1.0
    assert caught.value.retry_after == 120
    assert faults.count(NAME_GET) == 1


def test_it_gives_up_after_the_configured_number_of_retries(retrying, faults, ptz_camera, limiter):
    faults.inject(symbol="frequent_request", path="/v1.0/devices/{uid}/settings/general-config", count=5, retryAfter=0)
    faults.reset_counters()
    with pytest.raises(errors.FrequentRequest):
        retrying.get_device_name(ptz_camera)
    assert faults.count(NAME_GET, 429) == 3  # the first attempt and two retries
    assert limiter.calls == 3


def test_it_retries_a_5xx_on_a_read_and_consults_the_limiter_before_every_attempt(
    retrying, faults, ptz_camera, limiter
):
    faults.inject(symbol="server_internal_error", path="/v1.0/devices/{uid}/settings/general-config", count=2)
    faults.reset_counters()
    assert retrying.get_device_name(ptz_camera)
    assert (faults.count(NAME_GET, 500), faults.count(NAME_GET, 200)) == (2, 1)
    assert limiter.calls == 3


@pytest.mark.parametrize(
    ("route", "call"),
    [
        ("PUT /v1.0/devices/{uid}/settings/general-config", lambda c, uid: c.set_device_name(uid, "Gate")),
        ("PUT /v1.0/devices/{uid}/settings/alarm", lambda c, uid: c.set_alarm_enabled(uid, False)),
        ("POST /v1.0/devices/{uid}/ptz/rotate", lambda c, uid: c.ptz_rotate(uid, "none", 1)),
        ("GET /v1.0/devices/{uid}/snap/snapshot.jpg", lambda c, uid: c.get_snapshot(uid, 0, "subStream")),
    ],
    ids=["set-name", "set-alarm", "rotate", "snapshot"],
)
def test_it_retries_idempotent_calls_after_a_5xx(retrying, faults, ptz_camera, route, call):
    method, path = route.split(" ", 1)
    faults.inject(symbol="server_internal_error", method=method, path=path)
    faults.reset_counters()
    call(retrying, ptz_camera)
    assert (faults.count(route, 500), faults.count(route, 200)) == (1, 1)


@pytest.mark.parametrize(
    ("route", "call"),
    [
        ("POST /v1.0/devices/{uid}/live/play-session", lambda c, uid: c.create_live_session(uid, 0, "subStream")),
        ("PATCH /v1.0/devices/{uid}/ptz/zoom", lambda c, uid: c.ptz_zoom(uid, "inc")),
        ("PATCH /v1.0/devices/{uid}/ptz/focus", lambda c, uid: c.ptz_focus(uid, "dec")),
        ("POST /v1.0/devices/{uid}/wifi/scan-task", lambda c, uid: c.start_wifi_scan(uid)),
        ("POST /v1.0/devices/{uid}/wifi/test", lambda c, uid: c.test_wifi(uid, "Reolink", "reolink123", "US")),
        ("POST /v1.0/devices/initialization-session", lambda c, uid: c.create_initialization_session(uid)),
        (
            "POST /v1.0/devices/{uid}/upgrade-session",
            lambda c, uid: c.create_upgrade_session(uid, "whatever.pak"),
        ),
    ],
    ids=["live-session", "zoom", "focus", "scan-task", "wifi-test", "init-session", "upgrade-session"],
)
def test_it_does_not_repeat_calls_that_may_have_taken_effect_after_a_5xx(
    retrying, faults, wired_wifi_camera, route, call
):
    method, path = route.split(" ", 1)
    faults.inject(symbol="server_internal_error", method=method, path=path)
    faults.reset_counters()
    with pytest.raises(errors.ServerInternalError):
        call(retrying, wired_wifi_camera)
    assert faults.count(route) == 1


def test_it_sends_a_firmware_upload_refused_with_429_again_from_the_start(retrying, faults, running):
    from .test_firmware import firmware_name

    name = firmware_name()
    payload = os.urandom(100_000)
    faults.inject(symbol="frequent_request", path="/v1.0/firmware/{fileName}", retryAfter=0)
    retrying.upload_firmware(name, io.BytesIO(payload))
    assert running.sim.firmware.files[name].sha256 == hashlib.sha256(payload).hexdigest()


def test_it_does_not_repeat_a_firmware_upload_after_a_5xx(retrying, faults, running):
    from .test_firmware import firmware_name

    name = firmware_name()
    faults.inject(symbol="server_internal_error", path="/v1.0/firmware/{fileName}")
    faults.reset_counters()
    with pytest.raises(errors.ServerInternalError):
        retrying.upload_firmware(name, io.BytesIO(b"image" * 100))
    assert faults.count("POST /v1.0/firmware/{fileName}") == 1


def test_it_retries_a_connection_that_never_opened_even_for_a_post(limiter):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
    dead = RopClient(f"http://127.0.0.1:{port}", retry=policy, limiter=limiter)
    with dead, pytest.raises(errors.RopUnavailable):
        dead.create_live_session("952700000A5S348E", 0, "mainStream")
    assert limiter.calls == 3


def test_it_retries_a_read_timeout_for_reads_but_not_for_posts(running, faults, ptz_camera):
    faults.faults(latency_ms=300)
    policy = RetryPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.02)
    with RopClient(running.base_url, timeout=0.1, retry=policy) as slow:
        faults.reset_counters()
        with pytest.raises(errors.RopUnavailable):
            slow.get_device_name(ptz_camera)
        with pytest.raises(errors.RopUnavailable):
            slow.create_live_session(ptz_camera, 0, "mainStream")
    live = "POST /v1.0/devices/{uid}/live/play-session"
    deadline = time.monotonic() + 3
    # The simulator counts a call when its handler ends, after the simulated latency.
    while (faults.count(NAME_GET), faults.count(live)) != (2, 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)  # and no further attempt arrives
    assert faults.count(NAME_GET) == 2
    assert faults.count(live) == 1


def test_it_lets_the_max_retries_and_backoff_base_shortcuts_override_only_those_fields():
    base = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=4.0, max_retry_after=9.0)
    with RopClient("http://127.0.0.1:1", retry=base, max_retries=1, backoff_base=0.1) as both:
        assert both.transport.retry == RetryPolicy(1, 0.1, 4.0, 9.0)
    with RopClient("http://127.0.0.1:1", max_retries=0) as one:
        assert one.transport.retry == RetryPolicy(max_retries=0)


def test_it_backs_off_exponentially_with_jitter_and_a_cap():
    policy = TransportRetryPolicy(backoff_base=0.5, backoff_max=2.0)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (6, 2.0)]:
        waits = {policy.backoff(attempt) for _ in range(50)}
        assert all(0 <= w <= ceiling for w in waits)
        assert len(waits) > 1  # jittered, not a fixed schedule


def test_it_is_safe_to_share_between_threads(retrying, ptz_camera, battery_camera):
    results: list[object] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(retrying.get_device_name(ptz_camera))
                results.append(retrying.get_pir_config(battery_camera))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(results) == 80
