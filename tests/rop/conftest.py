"""Fixtures: one in-process ropsim for the whole session, a RopClient per test.

The client talks to ropsim over real HTTP on 127.0.0.1; nothing in requests is mocked.
Tests steer the simulator through its control API (/_sim/...), also over HTTP, with a
plain requests session so the client under test is never involved in the steering.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import requests

from rop import RetryPolicy, RopClient
from ropsim.testing import RunningSim, SimConfig, start_in_thread

SEED = 7

# Retries that never make the suite wait: tests about backoff set their own policy.
FAST_RETRY = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02, max_retry_after=5.0)

BASE_CONFIG: dict[str, Any] = {
    "devices": 3,
    "seed": SEED,
    "upgrade_seconds": 0.4,
    "wifi_scan_seconds": 0.3,
    "wifi_reconnect_seconds": 0.3,
}


class Control:
    """The simulator's control API, spoken over HTTP."""

    def __init__(self, running: RunningSim) -> None:
        self.running = running
        self.url = running.control_url
        self.http = requests.Session()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.url + path, json=body, timeout=10)
        assert response.status_code < 300, f"control {method} {path}: {response.status_code} {response.text}"
        return response.json()

    def add_device(self, model: str, **extra: Any) -> str:
        uid: str = self._call("POST", "/devices", {"model": model, **extra})["uid"]
        return uid

    def device(self, uid: str) -> dict[str, Any]:
        device: dict[str, Any] = self._call("GET", f"/devices/{uid}")
        return device

    def offline(self, uid: str) -> None:
        self._call("POST", f"/devices/{uid}/offline")

    def online(self, uid: str) -> None:
        self._call("POST", f"/devices/{uid}/online")

    def sleep(self, uid: str) -> None:
        self._call("POST", f"/devices/{uid}/sleep")

    def set_battery(self, uid: str, percent: int, charge_status: str | None = None) -> None:
        body: dict[str, Any] = {"percent": percent}
        if charge_status:
            body["chargeStatus"] = charge_status
        self._call("PUT", f"/devices/{uid}/battery", body)

    def set_upgrade_outcome(self, uid: str, outcome: str | None) -> None:
        self._call("PUT", f"/devices/{uid}/upgrade-outcome", {"outcome": outcome})

    def raise_alarm(self, uid: str, **alarm: Any) -> None:
        self._call("POST", f"/devices/{uid}/alarm", alarm)

    def faults(self, **values: Any) -> dict[str, Any]:
        faults: dict[str, Any] = self._call("PUT", "/faults", values)
        return faults

    def get_faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self._call("GET", "/faults")
        return faults

    def counters(self) -> dict[str, dict[str, int]]:
        counters: dict[str, dict[str, int]] = self._call("GET", "/counters")
        return counters

    def total_requests(self, prefix: str = "") -> int:
        """ROP API requests counted by the simulator (control calls excluded)."""
        return sum(
            entry.get("count", 0)
            for key, entry in self.counters().items()
            if "/_sim" not in key and key.split(" ", 1)[-1].startswith(prefix)
        )

    def count(self, route: str, status: int | None = None) -> int:
        entry = self.counters().get(route, {})
        return entry.get("count", 0) if status is None else entry.get(str(status), 0)

    def reset_counters(self) -> None:
        self._call("DELETE", "/counters")

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "/clock/advance", {"seconds": seconds})

    def inject(self, **spec: Any) -> None:
        self._call("POST", "/inject", spec)

    def clear_injections(self) -> None:
        self.http.delete(self.url + "/inject", timeout=10)


def start_sim(**overrides: Any) -> RunningSim:
    return start_in_thread(SimConfig(**{**BASE_CONFIG, **overrides}))


@pytest.fixture(scope="session")
def running() -> Iterator[RunningSim]:
    sim = start_sim()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="session")
def control(running: RunningSim) -> Control:
    return Control(running)


@pytest.fixture
def faults(control: Control) -> Iterator[Control]:
    """The control API, with every fault the test sets restored afterwards."""
    saved = control.get_faults()
    try:
        yield control
    finally:
        control.clear_injections()
        control.faults(**saved)


@pytest.fixture
def client(running: RunningSim) -> Iterator[RopClient]:
    with RopClient(running.base_url, timeout=5.0, retry=FAST_RETRY) as rop_client:
        yield rop_client


@pytest.fixture
def sim(running: RunningSim, client: RopClient) -> tuple[RunningSim, RopClient]:
    """The running simulator and a client bound to it (the pair the brief asks for)."""
    return running, client


@pytest.fixture
def ptz_camera(control: Control) -> str:
    """Wired camera with zoom, focus, rotation, SD card and AI (fresh for each test)."""
    return control.add_device("RLC-823A", sdCard=True)


@pytest.fixture
def battery_camera(control: Control) -> str:
    return control.add_device("Argus 3 Pro", sdCard=True)


@pytest.fixture
def wired_wifi_camera(control: Control) -> str:
    """WiFi and Ethernet: WiFi changes and tests do not drop it off the network."""
    return control.add_device("Reolink Duo 2", sdCard=True)


@pytest.fixture
def plain_camera(control: Control) -> str:
    """No PTZ, no WiFi, no battery: answers cmd_not_support to those calls."""
    return control.add_device("RLC-810A", sdCard=True)


# A raw answer for raw_server: the status line and headers, then the body's blocks, each
# sent as soon as the generator gives it (a test can pause between blocks).
RawAnswer = Callable[[], Iterable[bytes]]


@pytest.fixture
def raw_server() -> Iterator[Callable[[RawAnswer], str]]:
    """Start a local HTTP server that answers every request with what `answer()` yields,
    byte for byte: for what no real server would send (a trickle, an endless body)."""
    started: list[tuple[threading.Event, socket.socket]] = []

    def start(answer: RawAnswer) -> str:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    try:
                        for block in answer():
                            if stop.is_set():
                                break
                            conn.sendall(block)
                    except OSError:
                        pass

        threading.Thread(target=serve, daemon=True).start()
        started.append((stop, server))
        return f"http://127.0.0.1:{server.getsockname()[1]}"

    yield start
    for stop, server in started:
        stop.set()
        server.close()
