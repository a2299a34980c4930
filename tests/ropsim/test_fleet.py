"""The fleet model on its own (no HTTP): determinism, catalogue, time, listeners."""

from __future__ import annotations

import collections
import re

import pytest

from ropsim.clock import FrozenClock
from ropsim.fleet import Fleet
from ropsim.models import CATALOGUE


def test_it_is_deterministic_from_the_seed() -> None:
    a, b, c = Fleet.generate(200, seed=7), Fleet.generate(200, seed=7), Fleet.generate(200, seed=8)
    snapshot = [(d.uid, d.model.name, d.name, d.firmware) for d in a.devices.values()]
    assert snapshot == [(d.uid, d.model.name, d.name, d.firmware) for d in b.devices.values()]
    assert list(a.devices) != list(c.devices)


def test_it_makes_unique_uids_of_16_uppercase_letters_or_digits() -> None:
    fleet = Fleet.generate(2000, seed=1)
    assert len(fleet.devices) == 2000
    assert all(re.fullmatch(r"[A-Z0-9]{16}", uid) for uid in fleet.devices)


def test_it_mixes_every_model_of_both_families() -> None:
    fleet = Fleet.generate(1000, seed=2)
    models = collections.Counter(d.model.name for d in fleet.devices.values())
    assert set(models) == set(CATALOGUE)
    families = {d.family for d in fleet.devices.values()}
    assert families == {"battery", "powered"}


def test_it_describes_capabilities_in_the_catalogue() -> None:
    nvr = CATALOGUE["NVR RLN8-410"]
    assert nvr.channels == 8 and nvr.family == "powered" and not nvr.wifi
    assert CATALOGUE["Argus 2"].battery and CATALOGUE["Argus 2"].wifi_only
    assert CATALOGUE["RLC-823A"].zoom and CATALOGUE["RLC-823A"].ptz_rotate
    assert CATALOGUE["Reolink Duo 2"].wifi and CATALOGUE["Reolink Duo 2"].wired


@pytest.mark.parametrize(
    ("model", "name", "ok"),
    [
        ("Reolink Duo 2", "Reolink-Duo-2.2143_23042822.BIPC_529MIX32M35B17B6MP.paks", True),
        ("RLC-810A", "IPC_523B188MP.1569_230106789.RLC-812A.IMX415.8MP.REOLINK.pak", False),
        ("RLC-810A", "IPC_523B188MP.1569_230106789.RLC-810A.IMX415.8MP.REOLINK.pak", True),
        ("Argus 2", "Argus_2E.1.pak", False),
        ("Argus 3 Pro", "Argus-2.100_230101.pak", False),
    ],
)
def test_it_checks_firmware_images_against_the_model(model: str, name: str, ok: bool) -> None:
    assert CATALOGUE[model].matches_image(name) is ok


def test_it_derives_the_version_the_device_reports_from_the_image_name() -> None:
    duo = CATALOGUE["Reolink Duo 2"]
    assert duo.version_of_image("Reolink-Duo-2.2143_23042822.BIPC.paks", "ab") == "Reolink_Duo_2_230428_2143"
    assert duo.version_of_image("Reolink-Duo-2.paks", "abcdef0123456789") == "Reolink_Duo_2_abcdef0123"


def test_it_integrates_battery_state_with_an_injected_clock() -> None:
    clock = FrozenClock()
    fleet = Fleet(seed=1, clock=clock)
    dev = fleet.create_device("Argus 2")
    dev.set_battery(clock.now(), 50, "none")
    clock.advance(3600)
    dev.refresh(clock.now())
    assert dev.battery_percent == pytest.approx(50 - dev.drain_per_hour)


def test_it_tells_alarm_listeners_every_alarm() -> None:
    fleet = Fleet.generate(3, seed=1)
    heard = []
    fleet.alarm_listeners.append(lambda *args: heard.append(args))
    uid = next(iter(fleet.devices))
    fleet.raise_alarm(uid, 0, "MD", ["people"])
    assert heard == [(uid, 0, "MD", ["people"])]


def test_it_keeps_a_device_offline_until_every_offline_reason_clears() -> None:
    fleet = Fleet.generate(1, seed=1)
    uid = next(iter(fleet.devices))
    fleet.set_offline(uid, "reboot")
    fleet.set_offline(uid, "flaky")
    fleet.set_online(uid, "flaky")
    assert not fleet.devices[uid].online
    fleet.set_online(uid, "reboot")
    assert fleet.devices[uid].online
