"""Device list, initialization session, settings, battery and PTZ over HTTP."""

from __future__ import annotations

import base64
import re
import time

import pytest

from tests.ropsim.conftest import Api, symbol

DEV = "/v1.0/devices"


def test_it_lists_online_devices_with_the_tables_fields(shared: Api) -> None:
    r = shared.get(DEV)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["totalRows"] == len(body["items"]) == 40
    for item in body["items"]:
        assert set(item) == {"uid", "family", "model", "firmware"}
        assert re.fullmatch(r"[A-Z0-9]{16}", item["uid"])
        assert item["family"] in ("battery", "powered")
        assert re.fullmatch(r"[A-Za-z0-9_ ]{1,31}", item["firmware"])


def test_it_drops_offline_devices_from_the_list_and_answers_device_offline(api: Api) -> None:
    dev = api.device(lambda d: True)
    assert api.control("POST", f"/devices/{dev.uid}/offline").status_code == 200
    uids = [i["uid"] for i in api.get(DEV).json()["items"]]
    assert dev.uid not in uids and len(uids) == 39
    r = api.get(f"{DEV}/{dev.uid}/settings/general-config")
    assert r.status_code == 404 and symbol(r) == "device_offline"
    api.control("POST", f"/devices/{dev.uid}/online")
    assert dev.uid in [i["uid"] for i in api.get(DEV).json()["items"]]


def test_it_ends_a_temporary_outage_by_itself(api: Api) -> None:
    dev = api.device(lambda d: True)
    api.control("POST", f"/devices/{dev.uid}/offline", json={"seconds": 60})
    assert not dev.online
    api.advance(61)
    assert api.get(f"{DEV}/{dev.uid}/settings/general-config").status_code == 200


def test_it_answers_device_offline_for_an_unknown_but_well_formed_uid(shared: Api) -> None:
    r = shared.get(f"{DEV}/ABCDEFGHIJKLMNOP/settings/general-config")
    assert r.status_code == 404 and symbol(r) == "device_offline"


@pytest.mark.parametrize("uid", ["abcdefghijklmnop", "ABC", "ABCDEFGHIJKLMNOPQ", "ABCDEFGHIJKLMNO_"])
def test_it_answers_invalid_parameter_for_a_malformed_uid(shared: Api, uid: str) -> None:
    r = shared.get(f"{DEV}/{uid}/settings/general-config")
    assert r.status_code == 400
    assert r.json() == {"error": {"symbol": "invalid_parameter", "message": "Invalid parameter uid"}}


def test_it_answers_resource_not_found_for_unknown_routes_and_wrong_methods(shared: Api) -> None:
    uid = shared.device(lambda d: True).uid
    for resp in (
        shared.get("/v1.0/nothing"),
        shared.get("/"),
        shared.delete(DEV),
        shared.post(f"{DEV}/{uid}/settings/general-config", json={}),
        shared.get(f"{DEV}/{uid}/ptz/zoom"),
    ):
        assert resp.status_code == 404
        assert resp.json() == {"message": "resource not found."}


def test_it_answers_every_field_of_the_initialization_session(shared: Api) -> None:
    before = int(time.time() * 1000)
    r = shared.post(f"{DEV}/initialization-session", json={"uid": "952700000A5S348E"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"uid", "caHash", "code", "host", "getCAPort", "getCertPort", "registerPort", "time"}
    assert body["uid"] == "952700000A5S348E"
    assert (body["getCAPort"], body["getCertPort"], body["registerPort"]) == (61000, 61001, 61002)
    assert len(base64.b64decode(body["caHash"])) == 32
    assert 0 < len(body["code"]) < 255 and body["host"] == "127.0.0.1"
    assert body["time"] >= before - 1000


def test_it_joins_the_device_once_with_an_initialization_code_that_expires(api: Api) -> None:
    code = api.post(f"{DEV}/initialization-session", json={"uid": "95270000NEWDEV01"}).json()["code"]
    assert api.sim.redeem_init_code("95270000NEWDEV01", "wrong") is None
    dev = api.running.call(api.sim.redeem_init_code, "95270000NEWDEV01", code, "RLC-810A")
    assert dev is not None and dev.model.name == "RLC-810A"
    assert "95270000NEWDEV01" in [i["uid"] for i in api.get(DEV).json()["items"]]
    assert api.sim.redeem_init_code("95270000NEWDEV01", code) is None  # used
    code2 = api.post(f"{DEV}/initialization-session", json={"uid": "95270000NEWDEV02"}).json()["code"]
    api.advance(61)
    assert api.sim.redeem_init_code("95270000NEWDEV02", code2) is None


@pytest.mark.parametrize("body", [{}, {"uid": "lower0000000000a"}, {"uid": 5}, None, [1]])
def test_it_validates_the_initialization_sessions_uid(shared: Api, body: object) -> None:
    r = shared.post(f"{DEV}/initialization-session", json=body)
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_gets_and_sets_the_display_name(api: Api) -> None:
    dev = api.device(lambda d: True)
    path = f"{DEV}/{dev.uid}/settings/general-config"
    assert api.get(path).json() == {"deviceName": dev.name}
    r = api.put(path, json={"deviceName": "front yard"})
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    assert api.get(path).json() == {"deviceName": "front yard"}


@pytest.mark.parametrize("name", ["", " lead", "trail ", "x" * 32, "bad_underscore", "ünï", 7])
def test_it_rejects_invalid_display_names(shared: Api, name: object) -> None:
    uid = shared.device(lambda d: True).uid
    r = shared.put(f"{DEV}/{uid}/settings/general-config", json={"deviceName": name})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_validates_the_path_before_the_body(shared: Api) -> None:
    r = shared.put(f"{DEV}/bad/settings/general-config", data="not json")
    assert r.json()["error"]["message"] == "Invalid parameter uid"


def test_it_validates_before_asking_the_device(api: Api) -> None:
    dev = api.device(lambda d: True)
    api.control("POST", f"/devices/{dev.uid}/offline")
    r = api.put(f"{DEV}/{dev.uid}/settings/general-config", json={"deviceName": ""})
    assert symbol(r) == "invalid_parameter"


def test_it_gets_and_sets_the_pir_configuration(api: Api) -> None:
    dev = api.device(lambda d: d.model.pir)
    path = f"{DEV}/{dev.uid}/settings/pir-config"
    new = {"enabled": False, "sensitivity": 20, "reduceMistakes": True}
    assert api.put(path, json=new).json() == {"message": "ok"}
    assert api.get(path).json() == new


@pytest.mark.parametrize(
    "body",
    [
        {"enabled": True, "sensitivity": 101, "reduceMistakes": True},
        {"enabled": True, "sensitivity": -1, "reduceMistakes": True},
        {"enabled": "yes", "sensitivity": 10, "reduceMistakes": True},
        {"enabled": True, "sensitivity": 10},
        {"enabled": True, "sensitivity": 10.5, "reduceMistakes": False},
        {"enabled": True, "sensitivity": True, "reduceMistakes": False},
    ],
)
def test_it_rejects_invalid_pir_configurations(shared: Api, body: dict[str, object]) -> None:
    uid = shared.device(lambda d: d.model.pir).uid
    r = shared.put(f"{DEV}/{uid}/settings/pir-config", json=body)
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


@pytest.mark.parametrize("model", ["RLC-810A", "RLC-823A", "E1 Zoom", "Reolink Duo 2", "NVR RLN8-410"])
def test_it_answers_cmd_not_support_to_pir_calls_without_a_pir_sensor(api: Api, model: str) -> None:
    dev = api.add(model)
    path = f"{DEV}/{dev.uid}/settings/pir-config"
    r = api.get(path)
    assert r.status_code == 400 and symbol(r) == "cmd_not_support"
    r = api.put(path, json={"enabled": True, "sensitivity": 20, "reduceMistakes": True})
    assert r.status_code == 400 and symbol(r) == "cmd_not_support"
    # Validation still comes first: a malformed body is invalid_parameter even here.
    r = api.put(path, json={"enabled": "true", "sensitivity": 20, "reduceMistakes": True})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_answers_and_takes_alarm_notification_as_a_json_boolean(api: Api) -> None:
    dev = api.device(lambda d: True)
    path = f"{DEV}/{dev.uid}/settings/alarm"
    assert api.put(path, json={"enabled": False}).status_code == 200
    assert api.get(path).json() == {"enabled": False}
    assert api.put(path, json={"enabled": True}).status_code == 200
    assert api.get(path).json() == {"enabled": True}
    assert symbol(api.put(path, json={"enabled": "true"})) == "invalid_parameter"
    assert symbol(api.put(path, json={"enabled": "maybe"})) == "invalid_parameter"
    assert symbol(api.put(path, json={})) == "invalid_parameter"


def test_it_reports_battery_on_battery_devices_only(shared: Api) -> None:
    bat = shared.device(lambda d: d.model.battery)
    body = shared.get(f"{DEV}/{bat.uid}/states/battery").json()
    assert set(body) == {"percent", "chargeStatus"}
    assert 0 <= body["percent"] <= 100 and body["chargeStatus"] in ("none", "charging", "completed")
    powered = shared.device(lambda d: not d.model.battery)
    r = shared.get(f"{DEV}/{powered.uid}/states/battery")
    assert r.status_code == 400 and symbol(r) == "cmd_not_support"


def test_it_drains_and_then_charges_the_battery_over_simulated_time(api: Api) -> None:
    dev = api.add("Argus 2")
    api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 50, "chargeStatus": "none"})
    path = f"{DEV}/{dev.uid}/states/battery"
    api.advance(3600 * 2)
    after = api.get(path).json()
    assert after["percent"] < 50 and after["chargeStatus"] == "none"
    # From 11 % the 10 % low mark comes within 2 h; a full charge takes over 2.25 h.
    api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 11})
    api.advance(3600 * 2.5)
    charging = api.get(path).json()
    assert charging["chargeStatus"] == "charging" and charging["percent"] > 10
    api.advance(1800)
    later = api.get(path).json()
    assert later["percent"] > charging["percent"] and later["chargeStatus"] in ("charging", "completed")


@pytest.mark.parametrize(
    ("model", "what", "body"),
    [
        ("RLC-823A", "zoom", {"channel": 0, "action": "inc"}),
        ("RLC-823A", "focus", {"channel": 0, "action": "dec"}),
        ("E1 Zoom", "focus", {"channel": 0, "action": "dec"}),
        ("E1 Zoom", "focus", {"channel": 0, "action": "inc"}),
    ],
)
def test_it_steps_zoom_and_focus_on_capable_models(api: Api, model: str, what: str, body: dict[str, object]) -> None:
    dev = api.add(model)
    before = (dev.ptz.zoom, dev.ptz.focus)
    r = api.patch(f"{DEV}/{dev.uid}/ptz/{what}", json=body)
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    assert (dev.ptz.zoom, dev.ptz.focus) != before


@pytest.mark.parametrize(
    ("model", "what"),
    [("RLC-810A", "zoom"), ("Argus 3 Pro", "focus"), ("RLC-810A", "rotate"), ("Reolink Duo 2", "rotate")],
)
def test_it_answers_cmd_not_support_for_ptz_on_models_without_it(api: Api, model: str, what: str) -> None:
    dev = api.add(model)
    body = {"channel": 0, "action": "inc"} if what != "rotate" else {"channel": 0, "direction": "left", "speed": 5}
    method = api.patch if what != "rotate" else api.post
    r = method(f"{DEV}/{dev.uid}/ptz/{what}", json=body)
    assert r.status_code == 400 and symbol(r) == "cmd_not_support"


def test_it_validates_the_ptz_action_and_channel_range(api: Api) -> None:
    dev = api.add("RLC-823A")
    assert symbol(api.patch(f"{DEV}/{dev.uid}/ptz/zoom", json={"action": "up"})) == "invalid_parameter"
    assert symbol(api.patch(f"{DEV}/{dev.uid}/ptz/zoom", json={"channel": 0})) == "invalid_parameter"
    assert symbol(api.patch(f"{DEV}/{dev.uid}/ptz/zoom", json={"channel": 32, "action": "inc"})) == "invalid_parameter"
    r = api.patch(f"{DEV}/{dev.uid}/ptz/zoom", json={"channel": 1, "action": "inc"})
    assert r.status_code == 404 and symbol(r) == "device_channel_not_found"


@pytest.mark.parametrize(
    "direction", ["none", "left", "right", "up", "down", "leftUp", "leftDown", "rightUp", "rightDown"]
)
def test_it_rotates_in_every_direction_of_the_table_in_lower_camel_case(api: Api, direction: str) -> None:
    dev = api.add("Argus PT")
    r = api.post(f"{DEV}/{dev.uid}/ptz/rotate", json={"channel": 0, "direction": direction, "speed": 10})
    assert r.status_code == 200, r.text
    assert (dev.ptz.direction, dev.ptz.speed) == (direction, 0 if direction == "none" else 10)


def test_it_rejects_rotate_with_a_bad_speed_or_an_unknown_direction(api: Api) -> None:
    dev = api.add("RLC-823A")
    path = f"{DEV}/{dev.uid}/ptz/rotate"
    assert symbol(api.post(path, json={"channel": 0, "direction": "left", "speed": 0})) == "invalid_parameter"
    assert symbol(api.post(path, json={"channel": 0, "direction": "left", "speed": 65})) == "invalid_parameter"
    assert symbol(api.post(path, json={"channel": 0, "direction": "left"})) == "invalid_parameter"
    assert symbol(api.post(path, json={"channel": 0, "speed": 5})) == "invalid_parameter"
    r = api.post(path, json={"channel": 0, "direction": "sideways", "speed": 5})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_answers_device_channel_not_found_for_nvr_channels_beyond_eight(api: Api) -> None:
    nvr = api.add("NVR RLN8-410")
    ok = api.post(f"{DEV}/{nvr.uid}/live/play-session", json={"channel": 7, "streamType": "subStream"})
    assert ok.status_code == 200
    r = api.post(f"{DEV}/{nvr.uid}/live/play-session", json={"channel": 8, "streamType": "subStream"})
    assert r.status_code == 404 and symbol(r) == "device_channel_not_found"


def test_it_answers_invalid_parameter_for_invalid_json_bodies(shared: Api) -> None:
    uid = shared.device(lambda d: True).uid
    for data in ("", "{", "[]", '"x"'):
        r = shared.put(f"{DEV}/{uid}/settings/general-config", data=data, headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and symbol(r) == "invalid_parameter"
