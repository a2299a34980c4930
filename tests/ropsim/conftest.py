"""Fixtures: simulators started in-process, reached over real HTTP with requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from ropsim.config import SimConfig
from ropsim.fleet import SimDevice
from ropsim.sim import Simulator
from ropsim.testing import RunningSim, start_in_thread

SEED = 7


class Api:
    """requests against one running simulator; paths are relative to /v1.0/devices etc."""

    def __init__(self, running: RunningSim, headers: dict[str, str] | None = None) -> None:
        self.running = running
        self.http = requests.Session()
        self.http.headers.update(headers or {})

    @property
    def sim(self) -> Simulator:
        return self.running.sim

    def url(self, path: str) -> str:
        return self.running.base_url + path

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=10, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.http.post(self.url(path), timeout=10, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.http.put(self.url(path), timeout=10, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.http.patch(self.url(path), timeout=10, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.http.delete(self.url(path), timeout=10, **kw)

    def control(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, self.running.control_url + path, timeout=10, **kw)

    def device(self, pred: Callable[[SimDevice], bool]) -> SimDevice:
        for dev in self.sim.fleet.devices.values():
            if dev.online and pred(dev):
                return dev
        raise LookupError("no device in the fleet matches")

    def add(self, model: str, **extra: Any) -> SimDevice:
        """A fresh device of a model, awake (no wake-up draw), SD card in, via the control API."""
        r = self.control("POST", "/devices", json={"model": model, "awake": True, "sdCard": True, **extra})
        assert r.status_code == 201, r.text
        return self.sim.fleet.devices[r.json()["uid"]]

    def advance(self, seconds: float) -> None:
        r = self.control("POST", "/clock/advance", json={"seconds": seconds})
        assert r.status_code == 200, r.text


def symbol(resp: requests.Response) -> str:
    sym: str = resp.json()["error"]["symbol"]
    return sym


def start(**overrides: Any) -> RunningSim:
    # Values of several SimConfig field types, and the caller's overrides.
    cfg: dict[str, Any] = dict(
        devices=40,
        seed=SEED,
        upgrade_seconds=0.3,
        wifi_scan_seconds=0.2,
        wifi_reconnect_seconds=0.3,
        alarm_retry_base=0.05,
    )
    cfg.update(overrides)
    return start_in_thread(SimConfig(**cfg))


@pytest.fixture(scope="module")
def shared() -> Iterator[Api]:
    """One simulator per test module, for tests that do not disturb the others."""
    with start() as running:
        yield Api(running)


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    """Factory for a private simulator with config overrides; stopped after the test."""
    started: list[RunningSim] = []

    def _make(headers: dict[str, str] | None = None, **overrides: Any) -> Api:
        running = start(**overrides)
        started.append(running)
        return Api(running, headers)

    yield _make
    for running in started:
        running.stop()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
