"""ropsim.lan pieces without HTTP: sessions, lockout, alarm hook, firmware mapping, envelopes."""

from __future__ import annotations

import json

from ropsim.clock import FrozenClock
from ropsim.fleet import Fleet
from ropsim.lan import LanOptions, LanState, devices
from ropsim.lan.abilities import ability
from ropsim.lan.protocol import CommandError, dumps
from ropsim.lan.sessions import LoginGuard, SessionStore


def test_it_leases_sessions_up_to_capacity() -> None:
    clock = FrozenClock()
    store = SessionStore(clock.now, lease_seconds=3600, max_sessions=2)
    a = store.open("admin")
    assert a is not None and store.get(a.token) is a
    assert store.open("admin") is not None and store.open("admin") is None  # table full
    clock.advance(3600)
    assert store.get(a.token) is None and len(store) == 0  # leases ran out, room again
    b = store.open("admin")
    assert b is not None and store.close(b.token) and store.get(b.token) is None


def test_it_locks_logins_after_max_failures_and_resets() -> None:
    clock = FrozenClock()
    guard = LoginGuard(clock.now, max_failures=3, lock_seconds=60)
    guard.failure()
    guard.success()  # a good login resets the streak
    for _ in range(3):
        assert guard.remaining() == 0
        guard.failure()
    assert guard.remaining() == 60
    clock.advance(61)
    assert guard.remaining() == 0 and guard.failures == 0


def test_it_accepts_rop_shapes_in_the_alarm_listener() -> None:
    fleet = Fleet(seed=5, clock=FrozenClock())
    nvr = fleet.create_device("NVR RLN8-410")
    state = LanState(fleet, LanOptions(alarm_hold_seconds=5))
    lan = state.add(nvr)
    state.subscribe()
    state.subscribe()  # idempotent
    assert fleet.alarm_listeners.count(state.on_alarm) == 1
    state.on_alarm(nvr.uid, "2", "none", "people,dog_cat")  # ROP webhook style: strings
    assert lan.ai(2, "people") and lan.ai(2, "dog_cat") and lan.motion(2)
    fleet.raise_alarm(nvr.uid, 4, "MD", ["other"])  # unknown AI class: motion only
    assert lan.motion(4) and not lan.ai(4, "other")
    state.on_alarm("UNKNOWNUID000000", 0, "MD", [])  # not exposed: ignored
    state.on_alarm(nvr.uid, 99, "MD", [])  # no such channel: ignored
    fleet.clock.advance(6)
    assert not lan.motion(2) and not lan.ai(2, "people")
    state.unsubscribe()
    assert state.on_alarm not in fleet.alarm_listeners


def test_it_turns_firmware_strings_into_reolink_versions() -> None:
    fleet = Fleet(seed=1)
    dev = fleet.create_device("RLC-810A")
    dev.firmware = "RLC_810A_230515_2356"
    assert devices.firmware_version(dev) == "v3.0.0.2356_23051500" and not devices.is_old_firmware(dev)
    dev.firmware = "Argus_2_200104_751"  # built in 2020: old firmware behaviour
    assert devices.is_old_firmware(dev) and devices.firmware_version(dev) == "v2.0.0.751_20010400"
    dev.firmware = "v3.1.0.2368_23062508"  # already in Reolink's form: kept
    assert devices.firmware_version(dev) == "v3.1.0.2368_23062508"


def test_it_derives_ability_from_model_flags() -> None:
    fleet = Fleet(seed=1)
    ptz = ability(fleet.create_device("RLC-823A"), "admin")["Ability"]
    plain = ability(fleet.create_device("RLC-810A"), "admin")["Ability"]
    e1 = ability(fleet.create_device("E1 Zoom"), "admin")["Ability"]
    assert ptz["abilityChn"][0]["ptzType"]["ver"] == 2 and ptz["abilityChn"][0]["floodLight"]["ver"] == 1
    assert plain["abilityChn"][0]["ptzType"]["ver"] == 0 and plain["abilityChn"][0]["floodLight"]["ver"] == 0
    nvr = ability(fleet.create_device("NVR RLN8-410"), "u")["Ability"]
    assert e1["wifi"]["ver"] == 1 and len(nvr["abilityChn"]) == 8


def test_it_lays_out_the_error_envelope() -> None:
    text = dumps([CommandError(-6).envelope("GetDevInfo")])
    assert '"detail" : "please login first"' in text and '"rspCode" : -6' in text
    assert json.loads(text) == [
        {"cmd": "GetDevInfo", "code": 1, "error": {"detail": "please login first", "rspCode": -6}}
    ]
