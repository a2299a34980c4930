"""Alarm webhooks: body, authcode, retries; random alarms; listeners."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ropsim.conftest import Api


class Received(TypedDict):
    """One webhook request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class Receiver:
    """A webhook endpoint that fails the first ``fail`` requests with 503."""

    def __init__(self) -> None:
        self.fail = 0
        self.requests: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = 503 if len(receiver.requests) <= receiver.fail else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notification/callback_url"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def wait(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.time() + timeout
        while len(self.requests) < count and time.time() < deadline:
            time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def stats(api: Api) -> dict[str, int]:
    counts: dict[str, int] = api.control("GET", "/alarms").json()["stats"]
    return counts


def wait_stats(api: Api, key: str, value: int, timeout: float = 5.0) -> dict[str, int]:
    deadline = time.time() + timeout
    while True:
        s = stats(api)
        if s[key] >= value or time.time() > deadline:
            return s
        time.sleep(0.02)


def test_it_posts_the_specs_alarm_body_with_authcode_and_bearer(make_api, receiver: Receiver) -> None:
    api = make_api(callback_url=receiver.url, authcode="cAw0L8Jfc8AD6t36j98s")
    dev = api.add("Argus 3 Pro")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": True})
    r = api.control("POST", f"/devices/{dev.uid}/alarm", json={"aiTypes": ["people", "dog_cat"]})
    assert r.status_code == 200
    receiver.wait(1)
    req = receiver.requests[0]
    assert req["body"] == {"uid": dev.uid, "channelId": "0", "status": "MD", "AItpe": "people,dog_cat"}
    url = urlsplit(req["path"])
    assert url.path == "/notification/callback_url"
    assert parse_qs(url.query) == {"authcode": ["cAw0L8Jfc8AD6t36j98s"]}
    assert req["headers"]["Authorization"] == "Bearer cAw0L8Jfc8AD6t36j98s"
    assert wait_stats(api, "delivered", 1)["delivered"] == 1


def test_it_retries_a_failing_receiver_with_backoff(make_api, receiver: Receiver) -> None:
    receiver.fail = 2
    api = make_api(callback_url=receiver.url, authcode="x", alarm_retry_base=0.05)
    dev = api.add("RLC-810A")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": True})
    api.control("POST", f"/devices/{dev.uid}/alarm", json={"status": "MD"})
    s = wait_stats(api, "delivered", 1)
    assert (s["attempts"], s["failed_attempts"], s["retries"], s["delivered"]) == (3, 2, 2, 1)
    recent = api.control("GET", "/alarms").json()["recent"][-1]
    assert recent["statuses"] == [503, 503, 200] and recent["result"] == "delivered"


def test_it_gives_up_delivery_after_the_attempt_limit(make_api, receiver: Receiver) -> None:
    receiver.fail = 100
    api = make_api(callback_url=receiver.url, alarm_max_attempts=3, alarm_retry_base=0.02)
    dev = api.add("RLC-810A")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": True})
    api.control("POST", f"/devices/{dev.uid}/alarm")
    s = wait_stats(api, "gave_up", 1)
    assert s["gave_up"] == 1 and s["attempts"] == 3 and s["delivered"] == 0
    assert len(receiver.requests) == 3


def test_it_counts_an_unreachable_receiver_as_a_failure(make_api) -> None:
    api = make_api(callback_url="http://127.0.0.1:9/nowhere", alarm_max_attempts=2, alarm_retry_base=0.02)
    dev = api.add("RLC-810A")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": True})
    api.control("POST", f"/devices/{dev.uid}/alarm")
    assert wait_stats(api, "gave_up", 1)["failed_attempts"] == 2


def test_it_sends_nothing_with_notifications_disabled_but_listeners_still_hear(make_api, receiver: Receiver) -> None:
    api = make_api(callback_url=receiver.url)
    heard: list[tuple[object, ...]] = []
    api.sim.fleet.alarm_listeners.append(lambda *a: heard.append(a))
    dev = api.add("RLC-810A")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": False})
    api.control("POST", f"/devices/{dev.uid}/alarm", json={"aiTypes": "vehicle"})
    time.sleep(0.2)
    assert receiver.requests == [] and stats(api)["suppressed"] == 1
    assert heard == [(dev.uid, 0, "MD", ["vehicle"])]


def test_it_carries_the_nvr_channel_in_the_alarm(make_api, receiver: Receiver) -> None:
    api = make_api(callback_url=receiver.url)
    nvr = api.add("NVR RLN8-410")
    api.put(f"/v1.0/devices/{nvr.uid}/settings/alarm", json={"enabled": True})
    api.control("POST", f"/devices/{nvr.uid}/alarm", json={"channel": 5, "status": "videoLoss"})
    receiver.wait(1)
    assert receiver.requests[0]["body"] == {"uid": nvr.uid, "channelId": "5", "status": "videoLoss", "AItpe": "none"}
    assert api.control("POST", f"/devices/{nvr.uid}/alarm", json={"channel": 8}).status_code == 400
    assert api.control("POST", f"/devices/{nvr.uid}/alarm", json={"status": "fire"}).status_code == 400


def test_it_raises_random_alarms_at_the_configured_rate(make_api, receiver: Receiver) -> None:
    # 40 devices x 36,000/h = 400 alarms/s: plenty within a fraction of a second.
    api = make_api(callback_url=receiver.url, alarm_rate=36000)
    time.sleep(0.5)
    api.control("PUT", "/faults", json={"alarm_rate": 0})
    s = stats(api)
    assert s["raised"] > 20
    assert s["queued"] + s["suppressed"] == s["raised"]
    receiver.wait(s["queued"])
    assert len(receiver.requests) >= s["queued"] * 0.9
    assert all(set(r["body"]) == {"uid", "channelId", "status", "AItpe"} for r in receiver.requests)


def test_it_only_counts_alarms_without_a_callback_url(api: Api) -> None:
    dev = api.add("RLC-810A")
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": True})
    api.control("POST", f"/devices/{dev.uid}/alarm")
    assert stats(api)["not_sent"] == 1
