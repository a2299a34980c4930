"""Gateway behaviour (token, rate limit) and injected faults on device calls."""

from __future__ import annotations

import collections
import concurrent.futures
import time

from tests.ropsim.conftest import Api, symbol


def test_it_accepts_every_call_without_a_token(shared: Api) -> None:
    assert shared.get("/v1.0/devices", headers={"Authorization": "Bearer whatever"}).status_code == 200
    assert shared.get("/v1.0/devices").status_code == 200


def test_it_requires_the_bearer_header_when_a_token_is_set(make_api) -> None:
    api = make_api(token="s3cret")
    r = api.get("/v1.0/devices")
    assert r.status_code == 403 and symbol(r) == "auth_failed"
    assert symbol(api.get("/v1.0/devices", headers={"Authorization": "Bearer wrong"})) == "auth_failed"
    assert symbol(api.get("/v1.0/devices", headers={"Authorization": "s3cret"})) == "auth_failed"
    assert api.get("/v1.0/devices", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    # The control API never needs it.
    assert api.control("GET", "/health").status_code == 200


def test_it_takes_the_token_in_a_custom_auth_header(make_api) -> None:
    api = make_api(token="abc", auth_header="X-Api-Key")
    assert symbol(api.get("/v1.0/devices", headers={"Authorization": "Bearer abc"})) == "auth_failed"
    assert api.get("/v1.0/devices", headers={"X-Api-Key": "abc"}).status_code == 200
    assert api.get("/v1.0/devices", headers={"X-Api-Key": "Bearer abc"}).status_code == 200


def test_it_answers_frequent_request_with_retry_after_over_the_rate_limit(make_api) -> None:
    api = make_api(rate_limit=5, token="t", headers={"Authorization": "Bearer t"})
    statuses = [api.get("/v1.0/devices") for _ in range(12)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and symbol(limited[0]) == "frequent_request"
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert api.control("GET", "/health").status_code == 200  # control API is never limited
    time.sleep(0.45)
    assert api.get("/v1.0/devices").status_code == 200  # the budget refills


def test_it_keeps_a_budget_per_token(make_api) -> None:
    api = make_api(rate_limit=3, auth_header="X-Key", token="a")
    for _ in range(5):
        api.get("/v1.0/devices", headers={"X-Key": "a"})
    assert api.get("/v1.0/devices", headers={"X-Key": "a"}).status_code == 429
    # A caller presenting another (wrong) token has its own budget and gets the auth answer.
    assert api.get("/v1.0/devices", headers={"X-Key": "b"}).status_code == 403


def test_it_delays_only_device_calls_by_latency_and_jitter(make_api) -> None:
    api = make_api(latency_ms=150, jitter_ms=20)
    uid = api.add("RLC-810A").uid
    t = time.perf_counter()
    api.get("/v1.0/devices")
    list_time = time.perf_counter() - t
    t = time.perf_counter()
    assert api.get(f"/v1.0/devices/{uid}/settings/general-config").status_code == 200
    call_time = time.perf_counter() - t
    assert call_time >= 0.125 and list_time < call_time


def test_it_changes_latency_at_run_time_and_runs_calls_concurrently(make_api) -> None:
    api = make_api()
    r = api.control("PUT", "/faults", json={"latency_ms": 200})
    assert r.status_code == 200 and r.json()["latency_ms"] == 200
    uid = api.add("RLC-810A").uid
    url = api.url(f"/v1.0/devices/{uid}/settings/alarm")
    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: api.http.get(url, timeout=10).status_code, range(40)))
    elapsed = time.perf_counter() - t
    assert results == [200] * 40 and elapsed < 3  # 40 x 200 ms serially would be 8 s


def test_it_injects_documented_errors_at_the_error_rate(make_api) -> None:
    api = make_api(error_rate=0.5, seed=3)
    uid = api.add("RLC-810A").uid
    seen: collections.Counter[str] = collections.Counter()
    for _ in range(120):
        r = api.get(f"/v1.0/devices/{uid}/settings/general-config")
        seen[symbol(r) if r.status_code != 200 else "ok"] += 1
        if r.status_code != 200:
            expected = {"cmd_timeout": 400, "cmd_exec_error": 400, "server_internal_error": 500}
            assert r.status_code == expected[symbol(r)]
    assert set(seen) == {"ok", "cmd_timeout", "cmd_exec_error", "server_internal_error"}
    assert 30 < seen["ok"] < 90
    # The list and validation failures are not device calls: never injected.
    assert all(api.get("/v1.0/devices").status_code == 200 for _ in range(20))


def test_it_may_fail_to_wake_a_sleeping_battery_camera(make_api) -> None:
    api = make_api(wake_failure_rate=1.0)
    dev = api.add("Argus 2")
    api.control("POST", f"/devices/{dev.uid}/sleep")
    r = api.get(f"/v1.0/devices/{dev.uid}/settings/general-config")
    assert r.status_code == 400 and symbol(r) == "wake_up_timeout"
    api.control("POST", f"/devices/{dev.uid}/wake")
    assert api.get(f"/v1.0/devices/{dev.uid}/settings/general-config").status_code == 200
    # Powered devices never sleep.
    powered = api.add("RLC-810A")
    assert api.get(f"/v1.0/devices/{powered.uid}/settings/general-config").status_code == 200


def test_it_wakes_a_battery_camera_on_a_call_and_lets_it_doze_off_again(make_api) -> None:
    api = make_api(stay_awake_seconds=20)
    dev = api.add("Argus 3 Pro")
    api.control("POST", f"/devices/{dev.uid}/sleep")
    assert api.control("GET", f"/devices/{dev.uid}").json()["sleeping"] is True
    api.get(f"/v1.0/devices/{dev.uid}/settings/alarm")
    assert api.control("GET", f"/devices/{dev.uid}").json()["sleeping"] is False
    api.advance(21)
    assert api.control("GET", f"/devices/{dev.uid}").json()["sleeping"] is True
