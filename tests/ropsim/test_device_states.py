"""Per-device behaviour (latency, wake-up failures) and the seeded demo states."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ropsim import states
from ropsim.config import SimConfig
from ropsim.sim import Simulator
from tests.ropsim.conftest import Api, symbol

DEV = "/v1.0/devices"


def timed(api: Api, uid: str) -> tuple[float, int]:
    began = time.perf_counter()
    r = api.get(f"{DEV}/{uid}/settings/general-config")
    return time.perf_counter() - began, r.status_code


def test_it_makes_one_device_slow_among_fast_ones_through_the_control_api(api: Api) -> None:
    slow, fast = api.add("RLC-810A"), api.add("RLC-810A")
    r = api.control("PUT", f"/devices/{slow.uid}/behaviour", json={"latencyMs": 400})
    assert r.status_code == 200 and r.json()["behaviour"] == {"latencyMs": 400.0, "wakeFailureRate": None}
    slow_took, slow_status = timed(api, slow.uid)
    fast_took, fast_status = timed(api, fast.uid)
    assert slow_status == fast_status == 200
    assert slow_took >= 0.4 > fast_took
    # null hands the device back to the server-wide setting.
    api.control("PUT", f"/devices/{slow.uid}/behaviour", json={"latencyMs": None})
    assert timed(api, slow.uid)[0] < 0.4


def test_it_adds_a_slow_device(api: Api) -> None:
    dev = api.add("RLC-810A", latencyMs=300)
    assert dev.latency_ms == 300.0 and timed(api, dev.uid)[0] >= 0.3


def test_it_makes_a_battery_camera_fail_every_wake_up(api: Api) -> None:
    cam = api.add("Argus 2")
    api.control("PUT", f"/devices/{cam.uid}/behaviour", json={"wakeFailureRate": 1})
    api.control("POST", f"/devices/{cam.uid}/sleep")
    for _ in range(3):
        r = api.get(f"{DEV}/{cam.uid}/states/battery")
        assert r.status_code == 400 and symbol(r) == "wake_up_timeout"
    # Awake (woken on the LAN, say), it answers; asleep again, it fails again.
    api.control("POST", f"/devices/{cam.uid}/wake")
    assert api.get(f"{DEV}/{cam.uid}/states/battery").status_code == 200
    api.control("PUT", f"/devices/{cam.uid}/behaviour", json={"wakeFailureRate": 0})
    api.control("POST", f"/devices/{cam.uid}/sleep")
    assert api.get(f"{DEV}/{cam.uid}/states/battery").status_code == 200


@pytest.mark.parametrize(
    "body", [{"latencyMs": -1}, {"latencyMs": "slow"}, {"wakeFailureRate": 1.5}, {"wakeFailureRate": True}]
)
def test_it_validates_behaviour_values_and_changes_nothing_when_wrong(api: Api, body: dict[str, object]) -> None:
    dev = api.add("RLC-810A")
    r = api.control("PUT", f"/devices/{dev.uid}/behaviour", json={"latencyMs": 5, **body})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"
    assert (dev.latency_ms, dev.wake_failure_rate) == (None, None)


def test_it_generates_slow_and_unwakeable_devices_from_the_seed(make_api: Callable[..., Api]) -> None:
    api = make_api(devices=30, slow_devices=1, slow_latency_ms=300, unwakeable_devices=2)
    devices = list(api.sim.fleet.devices.values())
    slow = [d for d in devices if d.latency_ms is not None]
    unwakeable = [d for d in devices if d.wake_failure_rate == 1.0]
    assert len(slow) == 1 and slow[0].latency_ms == 300
    assert len(unwakeable) == 2 and all(d.model.battery for d in unwakeable)
    fast = next(d for d in devices if d.latency_ms is None and not d.model.battery)
    assert timed(api, slow[0].uid)[0] >= 0.3 > timed(api, fast.uid)[0]
    r = api.get(f"{DEV}/{unwakeable[0].uid}/settings/general-config")
    assert r.status_code == 400 and symbol(r) == "wake_up_timeout"


def _demo(seed: int = 7, devices: int = 200, **extra: object) -> Simulator:
    return Simulator(SimConfig(devices=devices, seed=seed, demo_states=True, **extra))  # type: ignore[arg-type]


def _picture(sim: Simulator) -> list[tuple[str, bool, float | None, str | None, bool, float | None, float | None]]:
    return [
        (d.uid, d.online, d.battery_percent, d.charge_status, d.alarm_enabled, d.latency_ms, d.wake_failure_rate)
        for d in sim.fleet.devices.values()
    ]


def test_it_shows_every_state_a_fleet_manager_meets_in_the_demo_fleet() -> None:
    sim = _demo()
    try:
        devices = list(sim.fleet.devices.values())
        battery = [d for d in devices if d.model.battery]
        assert sum(not d.online for d in devices) >= 4
        assert sum((d.battery_percent or 100) < 20 for d in battery) >= 5
        assert sum(d.charge_status == "charging" for d in battery) >= 3
        assert sum(not d.alarm_enabled for d in devices) >= 5
        assert sum(d.wake_failure_rate == 1.0 for d in battery) >= 2
        assert sum(d.latency_ms is not None for d in devices) >= 1
        assert sum(d.model.name.startswith("NVR") for d in devices) >= 3
        assert any(d.model.pir for d in devices) and any(not d.model.pir for d in devices)
    finally:
        sim.close()


def test_it_derives_demo_states_from_the_seed_and_leaves_the_fleet_alone() -> None:
    a, b, c = _demo(), _demo(), _demo(seed=8)
    plain = Simulator(SimConfig(devices=200, seed=7))
    try:
        assert _picture(a) == _picture(b) != _picture(c)
        assert [(d.uid, d.model.name, d.name) for d in a.fleet.devices.values()] == [
            (d.uid, d.model.name, d.name) for d in plain.fleet.devices.values()
        ]
        assert all(d.online for d in plain.fleet.devices.values())
    finally:
        for sim in (a, b, c, plain):
            sim.close()


def test_it_lets_demo_outages_come_and_go_on_the_simulated_clock() -> None:
    sim = _demo()
    try:
        offline_at_start = {d.uid for d in sim.fleet.devices.values() if not d.online}
        assert offline_at_start
        sim.clock.advance(states.DEMO_OUTAGE_SECONDS[1] + 1)
        sim.tick()
        assert all(sim.fleet.devices[uid].online for uid in offline_at_start)
        seen_offline: set[str] = set()
        for _ in range(12):  # an hour in 5-minute steps: others drop, and come back
            sim.clock.advance(300)
            sim.tick()
            seen_offline |= {d.uid for d in sim.fleet.devices.values() if not d.online}
        assert seen_offline - offline_at_start
    finally:
        sim.close()


def test_it_gives_a_small_demo_fleet_one_of_each_and_leaves_lan_devices_plain() -> None:
    sim = _demo(devices=12, seed=3, lan_devices=2)
    try:
        devices = list(sim.fleet.devices.values())
        assert any(not d.online for d in devices) and any(not d.alarm_enabled for d in devices)
        for lan in devices[:2]:
            assert lan.online and lan.latency_ms is None and lan.wake_failure_rate is None
    finally:
        sim.close()


@pytest.mark.parametrize("first_sync", [0, 30, 60, 100])
def test_it_lets_a_console_syncing_a_minute_apart_see_a_demo_device_go_offline(first_sync: int) -> None:
    sim = _demo()
    try:

        def listed() -> set[str]:
            return {d.uid for d in sim.fleet.devices.values() if d.online}

        sim.clock.advance(first_sync)
        sim.tick()
        known = listed()
        sim.clock.advance(60)
        sim.tick()
        assert known - listed()
    finally:
        sim.close()
