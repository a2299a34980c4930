"""rop.lan.LanClient against ropsim's LAN emulator over real HTTP and HTTPS.

Nothing is mocked: the emulator runs on a background thread (LanThread) and the
client speaks to it through the checked adapter. Time-dependent behaviour (token
lease, login backoff, lockout) uses the fleet's clock for both sides, advanced
instead of slept.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator

import pytest
import requests

from rop.addresses import AddressPolicy
from rop.errors import AddressRefused
from rop.lan import CertificateChanged, LanAuthFailed, LanClient, LanLocked, LanNotSupported, LanUnreachable
from rop.lan.errors import LanCommandError, LanTimeout, LanUnexpectedResponse
from ropsim.fleet import Fleet, SimDevice
from ropsim.lan import DEMO_PASSWORD, LanOptions
from ropsim.lan.state import DeviceLanState
from ropsim.lan.testing import LanThread

LOOPBACK = AddressPolicy.for_lan(allow_loopback=True)


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=11)


@pytest.fixture
def devs(fleet: Fleet) -> dict[str, SimDevice]:
    return {
        "ptz": fleet.create_device("RLC-823A"),  # PTZ, AI, spotlight, siren
        "nvr": fleet.create_device("NVR RLN8-410"),  # 8 channels, AI, nothing else
        "noai": fleet.create_device("Argus PT"),  # no AI
        "old": fleet.create_device("RLC-810A"),  # forced old firmware
    }


def _options(devs: dict[str, SimDevice]) -> LanOptions:
    return LanOptions(old_firmware_uids=frozenset({devs["old"].uid}), reboot_seconds=60)


@pytest.fixture
def lan(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, options=_options(devs)) as running:
        yield running


@pytest.fixture
def lan_https(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, options=_options(devs), https=True) as running:
        yield running


def client_for(lan: LanThread, dev: SimDevice, fleet: Fleet, **kwargs: object) -> LanClient:
    ep = lan.endpoint(dev.uid)
    args: dict[str, object] = {"password": DEMO_PASSWORD, "timeout": 5.0, "address_policy": LOOPBACK}
    args.update(kwargs)
    return LanClient(ep.host, ep.port, ep.scheme, clock=fleet.clock.now, **args)  # type: ignore[arg-type]


def logins(state: DeviceLanState) -> int:
    return sum(1 for name in state.commands_seen if name == "Login")


# -- reads on a camera and on an NVR ----------------------------------------------------
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_it_reads_device_info_and_channels_of_a_camera_and_an_nvr(
    scheme: str, request: pytest.FixtureRequest, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    lan: LanThread = request.getfixturevalue("lan" if scheme == "http" else "lan_https")
    with client_for(lan, devs["ptz"], fleet) as cam:
        info = cam.device_info()
        assert (info.model, info.name, info.channel_count, info.is_nvr) == ("RLC-823A", devs["ptz"].name, 1, False)
        assert info.firmware.startswith("v3.")
        assert cam.channels() == [cam.channels()[0]]
        assert cam.channels()[0].name == devs["ptz"].name and cam.channels()[0].online
    with client_for(lan, devs["nvr"], fleet) as nvr:
        info = nvr.device_info()
        assert (info.model, info.channel_count, info.is_nvr) == ("NVR RLN8-410", 8, True)
        channels = nvr.channels()
        assert [c.channel for c in channels] == list(range(8))
        assert channels[3].name == f"{devs['nvr'].name} CH04" and all(c.online for c in channels)


def test_it_reads_motion_and_ai_of_every_channel_in_one_request(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    nvr = devs["nvr"]
    state = lan.state(nvr.uid)
    with client_for(lan, nvr, fleet) as client:
        client.device_info()  # channel count; logs in
        fleet.raise_alarm(nvr.uid, 2, "MD", ["people"])
        before = state.requests_seen
        states = client.states()
        assert state.requests_seen == before + 1  # 8 channels, 16 commands, one request
        assert [s.channel for s in states] == list(range(8))
        assert states[2].motion and states[2].ai == {"people": True, "vehicle": False, "dog_cat": False}
        assert not states[0].motion and states[0].ai == {"people": False, "vehicle": False, "dog_cat": False}
        assert [s.channel for s in client.states([5, 2])] == [5, 2]


def test_it_answers_no_ai_on_a_device_without_ai_instead_of_failing(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["noai"]
    with client_for(lan, dev, fleet) as client:
        fleet.raise_alarm(dev.uid, 0, "MD")
        [only] = client.states()
        assert only.motion is True and only.ai is None and not only.has_ai


# -- snapshot -----------------------------------------------------------------------
def test_it_takes_bounded_jpeg_snapshots_of_a_camera_and_an_nvr_channel(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    with client_for(lan, devs["ptz"], fleet) as cam:
        jpeg = cam.snapshot(0)
        assert jpeg[:2] == b"\xff\xd8" and len(jpeg) > 1000
    with client_for(lan, devs["nvr"], fleet) as nvr:
        assert nvr.snapshot(5, "sub")[:2] == b"\xff\xd8"
        with pytest.raises(LanCommandError) as caught:  # channel 9 does not exist
            nvr.snapshot(9)
        assert caught.value.rsp_code == -4
    with client_for(lan, devs["ptz"], fleet, max_snapshot_bytes=1000) as small, pytest.raises(LanUnexpectedResponse):
        small.snapshot(0)


def test_it_logs_in_again_when_old_firmware_answers_a_snapshot_with_its_login_page(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["old"]
    state = lan.state(dev.uid)
    with client_for(lan, dev, fleet) as client:
        client.device_info()
        state.sessions.clear()  # the token dies; old firmware answers Snap with HTML
        assert client.snapshot(0)[:2] == b"\xff\xd8"
        assert logins(state) == 2


# -- PTZ, spotlight, siren, reboot ------------------------------------------------------
def test_it_drives_ptz_and_recalls_presets_on_a_camera(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    ptz = lan.state(dev.uid).channels[0].ptz
    with client_for(lan, dev, fleet) as cam:
        pan = ptz.pan
        cam.ptz(0, "Left", speed=10)
        assert ptz.pan < pan and ptz.moving == "Left"
        cam.ptz_stop(0)
        assert ptz.moving == ""
        cam.ptz(0, "ZoomInc", speed=64)
        assert ptz.zoom > 0
        cam.ptz(0, "FocusInc", speed=1)
        assert [(p.id, p.name) for p in cam.presets(0)] == [(1, "home")]
        cam.ptz(0, "Right", speed=30)
        cam.recall_preset(0, 1)
        home = ptz.presets[1]
        assert (ptz.pan, ptz.tilt) == (home.pan, home.tilt)
        with pytest.raises(ValueError, match="speed"):
            cam.ptz(0, "Left", speed=65)
        with pytest.raises(ValueError, match="op"):
            cam.ptz(0, "Sideways")
        with pytest.raises(ValueError, match="preset"):
            cam.recall_preset(0, 0)


def test_it_reports_commands_an_nvr_channel_lacks_as_not_supported(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    with client_for(lan, devs["nvr"], fleet) as nvr:
        for call in (
            lambda: nvr.ptz(3, "Up"),
            lambda: nvr.presets(3),
            lambda: nvr.spotlight(3, True),
            lambda: nvr.siren(3),
        ):
            with pytest.raises(LanNotSupported) as caught:
                call()
            assert caught.value.rsp_code == -9


def test_it_switches_the_spotlight_and_plays_the_siren(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    channel = lan.state(dev.uid).channels[0]
    with client_for(lan, dev, fleet) as cam:
        cam.spotlight(0, True)
        assert channel.whiteled.state == 1
        cam.spotlight(0, False)
        assert channel.whiteled.state == 0
        plays = channel.siren_plays
        cam.siren(0, times=2)
        assert channel.siren_plays == plays + 1
        assert "AudioAlarmPlay" in lan.state(dev.uid).commands_seen


def test_it_reboots_and_logs_in_again_when_the_device_is_back(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    state = lan.state(dev.uid)
    with client_for(lan, dev, fleet) as cam:
        cam.device_info()
        cam.reboot()
        with pytest.raises(LanUnreachable):
            cam.device_info()
        fleet.clock.advance(61)  # past reboot_seconds on the fleet clock
        assert cam.device_info().model == "RLC-823A"
        assert logins(state) == 2


# -- token lifecycle ------------------------------------------------------------------
def test_it_logs_in_once_and_again_60_s_before_the_lease_ends(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    state = lan.state(dev.uid)
    with client_for(lan, dev, fleet) as cam:
        cam.device_info()
        cam.channels()
        assert logins(state) == 1
        fleet.clock.advance(3600 - 61)
        cam.channels()
        assert logins(state) == 1
        fleet.clock.advance(2)  # now inside the last 60 s of the lease
        cam.channels()
        assert logins(state) == 2
        assert len(state.sessions) == 1  # the old token was logged out
    assert len(state.sessions) == 0  # close() logged out


def test_it_logs_in_again_once_when_a_call_is_refused(lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]) -> None:
    dev = devs["ptz"]
    state = lan.state(dev.uid)
    with client_for(lan, dev, fleet) as cam:
        cam.device_info()
        state.sessions.clear()  # the device forgot the token (as after a power cut)
        assert cam.channels()[0].name == dev.name
        assert logins(state) == 2


# -- bad credentials, backoff and the lockout -------------------------------------------
def test_it_backs_off_after_a_failed_login_and_never_locks_the_device(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    state = lan.state(dev.uid)
    with client_for(lan, dev, fleet, password="wrong", login_backoff=30.0, max_login_failures=3) as cam:
        with pytest.raises(LanAuthFailed) as first:
            cam.device_info()
        assert first.value.retry_after == 30 and first.value.rsp_code == -7
        assert not isinstance(first.value, LanLocked)
        for _ in range(5):  # callers hammering the client do not reach the device
            with pytest.raises(LanAuthFailed):
                cam.device_info()
        assert logins(state) == 1
        fleet.clock.advance(31)
        with pytest.raises(LanAuthFailed) as second:
            cam.device_info()
        assert second.value.retry_after == 60 and logins(state) == 2
        fleet.clock.advance(61)
        with pytest.raises(LanAuthFailed) as third:
            cam.device_info()
        assert math.isinf(third.value.retry_after)  # stops until the credentials change
        fleet.clock.advance(10_000)
        with pytest.raises(LanAuthFailed):
            cam.device_info()
        assert logins(state) == 3 and state.guard.remaining() == 0  # the device never locked
        cam.set_credentials("admin", DEMO_PASSWORD)
        assert cam.device_info().model == "RLC-823A"


def test_it_respects_the_lockout_of_a_device_locked_by_someone_else(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    state = lan.state(dev.uid)
    ep = lan.endpoint(dev.uid)
    for _ in range(5):  # another client guessing passwords
        bad = [{"cmd": "Login", "param": {"User": {"userName": "admin", "password": "guess"}}}]
        requests.post(ep.url, params={"cmd": "Login", "token": "null"}, json=bad, timeout=5)
    with client_for(lan, dev, fleet) as cam:
        with pytest.raises(LanLocked) as locked:
            cam.device_info()
        assert 290 <= locked.value.retry_after <= 300
        seen = logins(state)
        with pytest.raises(LanLocked):
            cam.device_info()
        assert logins(state) == seen  # waited, without asking the device
        fleet.clock.advance(301)
        assert cam.device_info().model == "RLC-823A"


# -- certificate pinning ----------------------------------------------------------------
def test_it_pins_the_certificate_on_first_use_and_refuses_a_rotated_one(
    lan_https: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    dev = devs["ptz"]
    ep = lan_https.endpoint(dev.uid)
    assert ep.scheme == "https" and ep.url.startswith("https://")
    with client_for(lan_https, dev, fleet) as first:
        assert first.certificate_sha256 is None
        first.device_info()
        pin = first.certificate_sha256
    assert pin is not None and pin == ep.cert_sha256
    colons = ":".join(pin[i : i + 2] for i in range(0, 64, 2)).upper()
    with client_for(lan_https, dev, fleet, pinned_sha256=colons) as same:
        assert same.device_info().model == "RLC-823A"
        assert same.snapshot(0)[:2] == b"\xff\xd8" and same.states()[0].channel == 0
    new = lan_https.rotate_certificate(dev.uid)
    assert new != pin
    state = lan_https.state(dev.uid)
    seen = logins(state)
    with client_for(lan_https, dev, fleet, pinned_sha256=pin) as pinned:
        with pytest.raises(CertificateChanged) as changed:
            pinned.device_info()
        assert (changed.value.expected, changed.value.actual) == (pin, new)
    assert logins(state) == seen  # the password never went to the new certificate
    with pytest.raises(ValueError, match="64"):
        client_for(lan_https, dev, fleet, pinned_sha256="abc")


def test_it_rotates_only_the_device_asked_for(lan_https: LanThread, devs: dict[str, SimDevice]) -> None:
    before = {uid: lan_https.endpoint(d.uid).cert_sha256 for uid, d in devs.items()}
    assert len(set(before.values())) == len(devs)  # one certificate per device
    lan_https.rotate_certificate(devs["nvr"].uid)
    after = {uid: lan_https.endpoint(d.uid).cert_sha256 for uid, d in devs.items()}
    assert [uid for uid in devs if before[uid] != after[uid]] == ["nvr"]


# -- unreachable and refused addresses --------------------------------------------------
def test_it_reports_an_offline_device_and_a_closed_port_as_unreachable(
    lan: LanThread, fleet: Fleet, devs: dict[str, SimDevice]
) -> None:
    fleet.set_offline(devs["ptz"].uid)
    with client_for(lan, devs["ptz"], fleet) as cam, pytest.raises(LanUnreachable):
        cam.device_info()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: refused
        with LanClient("127.0.0.1", port, password="x", address_policy=LOOPBACK) as nowhere:
            with pytest.raises(LanUnreachable) as caught:
                nowhere.device_info()
            assert not isinstance(caught.value, LanTimeout)


def test_it_times_out_on_a_device_that_never_answers() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP connection, never answers
        port = listener.getsockname()[1]
        with LanClient("127.0.0.1", port, timeout=0.3, address_policy=LOOPBACK) as silent, pytest.raises(LanTimeout):
            silent.device_info()


def test_it_refuses_addresses_the_lan_policy_forbids(lan: LanThread, devs: dict[str, SimDevice]) -> None:
    ep = lan.endpoint(devs["ptz"].uid)
    with LanClient(ep.host, ep.port, password=DEMO_PASSWORD) as default_policy, pytest.raises(AddressRefused):
        default_policy.device_info()  # for_lan() without allow_loopback
    with LanClient("169.254.169.254", 80, address_policy=LOOPBACK) as metadata, pytest.raises(AddressRefused):
        metadata.device_info()
