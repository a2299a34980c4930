"""ropsim.lan over raw HTTP (requests): every command, envelope and error path."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from ropsim.fleet import Fleet, SimDevice
from ropsim.lan import DEMO_PASSWORD, LanOptions, discover
from ropsim.lan.state import DeviceLanState
from ropsim.lan.testing import LanThread

TIMEOUT = 5


class Cam:
    """One emulated device reached with requests."""

    def __init__(self, lan: LanThread, dev: SimDevice) -> None:
        self.lan = lan
        self.dev = dev
        self.ep = lan.endpoint(dev.uid)
        self.token: str | None = None

    @property
    def state(self) -> DeviceLanState:
        return self.lan.state(self.dev.uid)

    def post(self, body: Any, **params: Any) -> requests.Response:
        return requests.post(self.ep.url, params=params, json=body, timeout=TIMEOUT)

    def login(self, password: str = DEMO_PASSWORD, user: str = "admin") -> list[dict[str, Any]]:
        body = [{"cmd": "Login", "action": 0, "param": {"User": {"userName": user, "password": password}}}]
        answer: list[dict[str, Any]] = self.post(body, cmd="Login", token="null").json()
        if answer[0]["code"] == 0:
            self.token = answer[0]["value"]["Token"]["name"]
        return answer

    def call(self, *cmds: dict[str, Any], token: str | None = None) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = self.post(list(cmds), token=token or self.token).json()
        return answers

    def one(self, cmd: str, **param: Any) -> dict[str, Any]:
        return self.call({"cmd": cmd, "action": 0, "param": param})[0]


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=3)


@pytest.fixture
def devs(fleet: Fleet) -> dict[str, SimDevice]:
    return {
        "ptz": fleet.create_device("RLC-823A"),
        "plain": fleet.create_device("RLC-810A"),
        "nvr": fleet.create_device("NVR RLN8-410"),
        "battery": fleet.create_device("Argus 2"),
    }


@pytest.fixture
def lan(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    options = LanOptions(old_firmware_uids=frozenset({devs["plain"].uid}), reboot_seconds=60)
    with LanThread(fleet, options=options) as running:
        yield running


@pytest.fixture
def cam(lan: LanThread, devs: dict[str, SimDevice]) -> Cam:
    c = Cam(lan, devs["ptz"])
    assert c.login()[0]["code"] == 0
    return c


def error(answer: dict[str, Any]) -> tuple[int, str]:
    assert answer["code"] == 1, answer
    return answer["error"]["rspCode"], answer["error"]["detail"]


# -- envelope and login -----------------------------------------------------------
def test_it_answers_login_with_a_leased_token_in_the_firmwares_json_layout(lan: LanThread, devs) -> None:
    c = Cam(lan, devs["ptz"])
    r = c.post(
        [{"cmd": "Login", "action": 0, "param": {"User": {"userName": "admin", "password": DEMO_PASSWORD}}}],
        cmd="Login",
        token="null",
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")  # like the firmware, JSON labelled text/html
    assert '"cmd" : "Login"' in r.text and "\n   {" in r.text  # " : " separators, 3-space indent
    token = r.json()[0]["value"]["Token"]
    assert token["leaseTime"] == 3600 and len(token["name"]) == 15


def test_it_requires_a_valid_token_for_commands(cam: Cam) -> None:
    assert error(cam.call({"cmd": "GetDevInfo"}, token="null")[0]) == (-6, "please login first")
    assert error(cam.call({"cmd": "GetDevInfo"}, token="0123456789abcde")[0])[0] == -6
    r = requests.post(cam.ep.url, json=[{"cmd": "GetDevInfo"}], timeout=TIMEOUT)  # no token at all
    assert error(r.json()[0])[0] == -6
    assert '"detail" : "please login first"' in r.text  # the substring clients match on


def test_it_expires_the_token_lease_with_the_fleet_clock(cam: Cam, fleet: Fleet) -> None:
    assert cam.one("GetDevInfo")["code"] == 0
    fleet.clock.advance(3601)
    assert error(cam.one("GetDevInfo")) == (-6, "please login first")


def test_it_invalidates_the_token_on_logout(cam: Cam) -> None:
    assert cam.one("Logout") == {"cmd": "Logout", "code": 0, "value": {"rspCode": 200}}
    assert error(cam.one("GetDevInfo"))[0] == -6


def test_it_refuses_a_wrong_password_and_an_unknown_user(lan: LanThread, devs) -> None:
    c = Cam(lan, devs["ptz"])
    assert error(c.login("nope")[0]) == (-7, "login failed")
    assert error(c.login(user="root")[0]) == (-27, "invalid user")
    missing = c.post([{"cmd": "Login", "action": 0, "param": {}}], cmd="Login").json()
    assert error(missing[0])[0] == -4


def test_it_locks_out_after_five_bad_passwords_then_unlocks(lan: LanThread, devs, fleet: Fleet) -> None:
    c = Cam(lan, devs["ptz"])
    for _ in range(5):
        assert error(c.login("bad")[0])[1] == "login failed"
    locked = c.login()  # even the right password is refused while locked
    code, detail = error(locked[0])
    assert code == -7 and "Login has been locked" in detail
    assert 0 < locked[0]["error"]["unlock_time"] <= 300
    # The short-session style is locked too.
    r = requests.get(
        c.ep.url, params={"cmd": "GetDevInfo", "user": "admin", "password": DEMO_PASSWORD}, timeout=TIMEOUT
    )
    assert "Login has been locked" in r.json()[0]["error"]["detail"]
    fleet.clock.advance(301)
    assert c.login()[0]["code"] == 0


def test_it_refuses_logins_past_max_sessions(fleet: Fleet, devs) -> None:
    with LanThread(fleet, uids=[devs["ptz"].uid], options=LanOptions(max_sessions=2)) as lan:
        c = Cam(lan, devs["ptz"])
        assert c.login()[0]["code"] == 0 and c.login()[0]["code"] == 0
        assert error(c.login()[0]) == (-5, "max session")


def test_it_accepts_a_short_session_with_user_and_password_in_the_query(lan: LanThread, devs) -> None:
    c = Cam(lan, devs["ptz"])
    good = c.post(
        [{"cmd": "GetDevInfo", "action": 0, "param": {}}], cmd="GetDevInfo", user="admin", password=DEMO_PASSWORD
    ).json()
    assert good[0]["value"]["DevInfo"]["model"] == "RLC-823A"
    bad = c.post([{"cmd": "GetDevInfo"}], user="admin", password="x").json()
    assert error(bad[0]) == (-7, "login failed")


def test_it_answers_a_browser_on_api_cgi_with_an_envelope(lan: LanThread, devs) -> None:
    ep = lan.endpoint(devs["ptz"].uid)
    r = requests.get(ep.url, params={"cmd": "Login"}, timeout=TIMEOUT)
    assert r.status_code == 200 and error(r.json()[0])[0] == -4
    page = requests.get(f"http://{ep.host}:{ep.port}/", timeout=TIMEOUT)
    assert "<title>Reolink</title>" in page.text


def test_it_handles_a_malformed_body_and_keeps_the_batch_order(cam: Cam) -> None:
    r = requests.post(cam.ep.url, params={"cmd": "GetDevInfo", "token": cam.token}, data=b"{not json", timeout=TIMEOUT)
    assert error(r.json()[0])[0] == -4
    answers = cam.call({"cmd": "GetTime"}, {"cmd": "NoSuchCmd"}, {"cmd": "GetP2p"})
    assert [a["cmd"] for a in answers] == ["GetTime", "Unknown", "GetP2p"]
    assert error(answers[1]) == (-9, "not support")
    assert answers[2]["value"]["P2p"]["uid"] == cam.dev.uid


# -- device information ---------------------------------------------------------------
def test_it_answers_dev_info_channel_status_and_ability(cam: Cam) -> None:
    info = cam.one("GetDevInfo")["value"]["DevInfo"]
    assert info["model"] == "RLC-823A" and info["name"] == cam.dev.name and info["type"] == "IPC"
    assert info["channelNum"] == 1 and info["firmVer"].startswith("v3.")
    assert info["detail"] == cam.dev.firmware
    status = cam.one("GetChannelstatus")["value"]
    assert status["count"] == 1 and status["status"][0]["online"] == 1
    ability = cam.call({"cmd": "GetAbility", "param": {"User": {"userName": "admin"}}})[0]["value"]["Ability"]
    assert ability["abilityChn"][0]["ptzType"]["ver"] == 2 and ability["reboot"]["ver"] == 1
    assert cam.lan.servers is not None
    assert cam.one("GetNetPort")["value"]["NetPort"]["mediaPort"] == cam.lan.servers.media_port


def test_it_reports_an_nvrs_eight_channels(lan: LanThread, devs) -> None:
    c = Cam(lan, devs["nvr"])
    c.login()
    info = c.one("GetDevInfo")["value"]["DevInfo"]
    assert info["channelNum"] == 8 and info["type"] == "NVR"
    status = c.one("GetChannelstatus")["value"]
    assert status["count"] == 8 and [s["channel"] for s in status["status"]] == list(range(8))
    assert error(c.one("GetMdState", channel=8))[0] == -4  # channel out of range


def test_it_answers_not_support_under_the_commands_name_for_a_missing_feature(lan: LanThread, devs) -> None:
    plain = Cam(lan, devs["plain"])  # RLC-810A: no PTZ, spotlight or siren
    plain.login()
    for cmd in ("GetWhiteLed", "PtzCtrl", "AudioAlarmPlay", "GetPtzPreset"):
        answer = plain.one(cmd, channel=0, op="Left")
        assert answer["cmd"] == cmd and error(answer) == (-9, "not support")
    battery = Cam(lan, devs["battery"])  # Argus 2: no AI
    battery.login()
    assert error(battery.one("GetAiState", channel=0))[0] == -9
    level = battery.one("GetBatteryInfo", channel=0)["value"]["Battery"]["batteryPercent"]
    assert level == round(devs["battery"].battery_percent)


# -- motion / AI --------------------------------------------------------------------------
def test_it_flips_md_and_ai_on_a_fleet_alarm_then_clears(cam: Cam, fleet: Fleet) -> None:
    assert cam.one("GetMdState", channel=0)["value"] == {"state": 0}
    fleet.raise_alarm(cam.dev.uid, 0, "MD", ["people"])
    assert cam.one("GetMdState", channel=0)["value"] == {"state": 1}
    ai = cam.one("GetAiState", channel=0)["value"]
    assert ai["people"] == {"alarm_state": 1, "support": 1}
    assert ai["vehicle"] == {"alarm_state": 0, "support": 1}
    assert ai["face"]["support"] == 0
    fleet.clock.advance(11)  # alarm_hold_seconds = 10
    assert cam.one("GetMdState", channel=0)["value"] == {"state": 0}
    assert cam.one("GetAiState", channel=0)["value"]["people"]["alarm_state"] == 0


def test_it_clears_on_alarm_none_and_keeps_other_channels_quiet(lan: LanThread, devs, fleet: Fleet) -> None:
    c = Cam(lan, devs["nvr"])
    c.login()
    fleet.raise_alarm(devs["nvr"].uid, 5, "MD", [])
    states = c.call(*({"cmd": "GetMdState", "param": {"channel": ch}} for ch in range(8)))
    assert [a["value"]["state"] for a in states] == [0, 0, 0, 0, 0, 1, 0, 0]
    fleet.raise_alarm(devs["nvr"].uid, 5, "none", [])
    assert c.one("GetMdState", channel=5)["value"]["state"] == 0


# -- snapshots ------------------------------------------------------------------------------
def test_it_returns_a_jpeg_for_snap(cam: Cam) -> None:
    r = requests.get(cam.ep.url, params={"cmd": "Snap", "channel": 0, "rs": "abc", "token": cam.token}, timeout=TIMEOUT)
    assert r.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "JPEG" and image.size[0] == 1920
    sub = requests.get(
        cam.ep.url, params={"cmd": "Snap", "channel": 0, "snapType": "sub", "token": cam.token}, timeout=TIMEOUT
    )
    assert Image.open(io.BytesIO(sub.content)).size[0] == 640
    by_password: dict[str, str | int] = {"cmd": "Snap", "channel": 0, "user": "admin", "password": DEMO_PASSWORD}
    short = requests.get(cam.ep.url, params=by_password, timeout=TIMEOUT)
    assert short.content[:2] == b"\xff\xd8"
    bad_channel = requests.get(cam.ep.url, params={"cmd": "Snap", "channel": 3, "token": cam.token}, timeout=TIMEOUT)
    assert error(bad_channel.json()[0])[0] == -4


def test_it_answers_snap_with_a_bad_token_in_json_on_new_firmware_and_html_on_old(lan: LanThread, devs) -> None:
    new = lan.endpoint(devs["ptz"].uid)
    bad_token: dict[str, str | int] = {"cmd": "Snap", "channel": 0, "token": "bogus"}
    r = requests.get(new.url, params=bad_token, timeout=TIMEOUT)
    assert error(r.json()[0]) == (-6, "please login first")
    old = lan.endpoint(devs["plain"].uid)  # forced to old-firmware behaviour
    r = requests.get(old.url, params=bad_token, timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.text.lstrip().startswith("<!DOCTYPE html>")


# -- PTZ, white LED, siren -------------------------------------------------------------------
def test_it_moves_zooms_focuses_and_goes_to_presets(cam: Cam) -> None:
    ptz = cam.state.channels[0].ptz
    pan0 = ptz.pan
    assert cam.one("PtzCtrl", channel=0, op="Left", speed=10)["value"] == {"rspCode": 200}
    assert ptz.pan < pan0 and ptz.moving == "Left"
    assert cam.dev.ptz.direction == "left" and cam.dev.ptz.speed == 10  # shared with the cloud side
    cam.one("PtzCtrl", channel=0, op="Stop")
    assert ptz.moving == "" and cam.dev.ptz.direction == "none"
    pos = cam.call({"cmd": "GetPtzCurPos", "param": {"PtzCurPos": {"channel": 0}}})[0]["value"]["PtzCurPos"]
    assert pos["Ppos"] == ptz.pan
    zoom0 = cam.dev.ptz.zoom
    cam.one("PtzCtrl", channel=0, op="ZoomInc", speed=32)
    assert cam.dev.ptz.zoom > zoom0
    assert cam.one("GetZoomFocus", channel=0)["value"]["ZoomFocus"]["zoom"]["pos"] == cam.dev.ptz.zoom
    focus0 = cam.dev.ptz.focus
    cam.one("PtzCtrl", channel=0, op="FocusDec", speed=20)
    assert cam.dev.ptz.focus < focus0
    for bad_speed in (0, 65):
        assert error(cam.one("PtzCtrl", channel=0, op="Up", speed=bad_speed))[0] == -4
    assert error(cam.one("PtzCtrl", channel=0, op="Spin", speed=5))[0] == -4
    # Presets: save the current position as 5, move away, recall it.
    cam.call({"cmd": "SetPtzPreset", "param": {"PtzPreset": {"channel": 0, "enable": 1, "id": 5, "name": "gate"}}})
    saved = (ptz.pan, ptz.tilt)
    cam.one("PtzCtrl", channel=0, op="RightUp", speed=40)
    assert (ptz.pan, ptz.tilt) != saved
    cam.one("PtzCtrl", channel=0, op="ToPos", id=5, speed=32)
    assert (ptz.pan, ptz.tilt) == saved
    presets = cam.one("GetPtzPreset", channel=0)["value"]["PtzPreset"]
    assert {p["name"] for p in presets if p["enable"]} == {"home", "gate"}
    assert error(cam.one("PtzCtrl", channel=0, op="ToPos", id=9))[0] == -4


def test_it_switches_the_white_led_on_and_off(cam: Cam) -> None:
    set_on = {"cmd": "SetWhiteLed", "param": {"WhiteLed": {"channel": 0, "state": 1, "bright": 70, "mode": 3}}}
    assert cam.call(set_on)[0]["value"] == {"rspCode": 200}
    led = cam.one("GetWhiteLed", channel=0)["value"]["WhiteLed"]
    assert (led["state"], led["bright"], led["mode"]) == (1, 70, 3)
    cam.call({"cmd": "SetWhiteLed", "param": {"WhiteLed": {"channel": 0, "state": 0}}})
    assert cam.state.channels[0].whiteled.state == 0
    bad = {"cmd": "SetWhiteLed", "param": {"WhiteLed": {"channel": 0, "bright": 101}}}
    assert error(cam.call(bad)[0])[0] == -4


def test_it_plays_the_siren(cam: Cam) -> None:
    assert cam.one("AudioAlarmPlay", channel=0, alarm_mode="times", times=2)["value"] == {"rspCode": 200}
    assert cam.state.channels[0].siren_plays == 1 and cam.state.siren_active(0)
    cam.one("AudioAlarmPlay", channel=0, alarm_mode="manul", manual_switch=1)
    cam.one("AudioAlarmPlay", channel=0, alarm_mode="manul", manual_switch=0)
    assert cam.state.channels[0].siren_plays == 2


# -- reachability -------------------------------------------------------------------------------
def test_it_drops_the_connection_of_an_offline_device(cam: Cam, fleet: Fleet) -> None:
    fleet.set_offline(cam.dev.uid)
    with pytest.raises(requests.ConnectionError):
        cam.one("GetDevInfo")
    fleet.set_online(cam.dev.uid)
    assert cam.one("GetDevInfo")["code"] == 0


def test_it_takes_the_device_off_the_lan_briefly_on_reboot(cam: Cam, fleet: Fleet) -> None:
    assert cam.call({"cmd": "Reboot", "action": 0, "param": {}})[0] == {
        "cmd": "Reboot",
        "code": 0,
        "value": {"rspCode": 200},
    }
    assert not cam.dev.online and "lan-reboot" in cam.dev.offline_reasons  # the cloud sees it too
    with pytest.raises(requests.ConnectionError):
        cam.one("GetDevInfo")
    fleet.clock.advance(61)  # reboot_seconds=60 in this fixture
    assert error(cam.one("GetDevInfo"))[0] == -6  # back, but every token died with the reboot
    assert cam.dev.online and cam.state.reboots == 1


# -- onboarding --------------------------------------------------------------------------------
SETUP = {
    "host": "rop.example.com",
    "getCAPort": 61000,
    "getCertPort": 61001,
    "registerPort": 61002,
    "code": "yq75pv1rind84vclakr54",
    "caHash": "bmV5OGhqN2ltNjRsZDh4OHg5aG4zeXdma2xwaWNxOGFzbw==",
    "time": 1686822272,
}


def test_it_validates_and_accepts_rop_setup(lan: LanThread, devs) -> None:
    ep = lan.endpoint(devs["ptz"].uid)
    url = f"http://{ep.host}:{ep.port}/rop/setup"
    r = requests.post(url, json={**SETUP, "uid": devs["ptz"].uid}, timeout=TIMEOUT)
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    values = lan.state(devs["ptz"].uid).setup_values
    assert values is not None and values["registerPort"] == 61002
    bad = requests.post(url, json={**SETUP, "getCAPort": 70000}, timeout=TIMEOUT)
    assert bad.status_code == 400 and bad.json()["error"]["symbol"] == "invalid_parameter"
    assert "getCAPort" in bad.json()["error"]["message"]
    other = requests.post(url, json={**SETUP, "uid": "952700000A5S348E"}, timeout=TIMEOUT)
    assert other.json()["error"]["symbol"] == "device_not_matched"
    assert requests.post(url, data=b"[", timeout=TIMEOUT).status_code == 400


@pytest.mark.parametrize(
    "symbol", ["sync_time_failed", "download_ca_failed", "download_private_key_failed", "registe_failed"]
)
def test_it_answers_rop_setup_with_injected_failures(lan: LanThread, devs, symbol: str) -> None:
    ep = lan.endpoint(devs["ptz"].uid)
    lan.state(devs["ptz"].uid).setup_failure = symbol
    r = requests.post(f"http://{ep.host}:{ep.port}/rop/setup", json=SETUP, timeout=TIMEOUT)
    assert r.status_code == 400 and r.json()["error"]["symbol"] == symbol


def test_it_answers_udp_discovery_on_loopback(fleet: Fleet, devs) -> None:
    uids = [devs["ptz"].uid, devs["nvr"].uid]
    with LanThread(fleet, uids=uids, discovery_port=0) as lan:
        fleet.set_offline(devs["nvr"].uid)  # offline devices stay silent
        assert lan.servers is not None and lan.servers.discovery_port is not None
        port = lan.servers.discovery_port
        answers = asyncio.run(discover("127.0.0.1", port, timeout=0.3))
        assert answers == [{"uid": devs["ptz"].uid, "ip": "127.0.0.1", "port": lan.endpoint(devs["ptz"].uid).port}]
        # Anything without the magic number is ignored.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.3)
            s.sendto(json.dumps({"magic": 1}).encode(), ("127.0.0.1", port))
            with pytest.raises(TimeoutError):
                s.recvfrom(2048)


def free_port_pair() -> int:
    """A port P with P and P+1 both free right now (best effort)."""
    for _ in range(20):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            base: int = first.getsockname()[1]
            try:
                second.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
            return base
    pytest.skip("no free pair of consecutive ports")


def test_it_gives_consecutive_ports_from_port_base_and_a_custom_password(fleet: Fleet, devs) -> None:
    base = free_port_pair()
    uids = [devs["ptz"].uid, devs["plain"].uid]
    try:
        lan = LanThread(fleet, uids=uids, port_base=base, password="s3cret").start()
    except OSError as exc:
        pytest.skip(f"port range taken by another process: {exc}")
    try:
        assert lan.servers is not None
        assert [ep.port for ep in lan.servers] == [base, base + 1]
        assert Cam(lan, devs["ptz"]).login("s3cret")[0]["code"] == 0
        assert error(Cam(lan, devs["plain"]).login()[0])[0] == -7
    finally:
        lan.stop()
