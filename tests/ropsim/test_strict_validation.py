"""Each rule of rop-core-server-facts.md, "Validation as the real server does it", as a
request and its exact answer (status and symbol, or the 404 body of an unknown route).

The interface document's examples sometimes show a spelling or a path the real server
refuses; ropsim refuses them too, so a client bug that sends one fails here first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.ropsim.conftest import Api, start

NOT_FOUND = {"message": "resource not found."}
UPGRADE_ID = "c165ffc8-42c1-450b-a955-bc7ad6bdc515"


@dataclass
class Devices:
    """One device per situation, added through the control API."""

    ptz: str  # RLC-823A: zoom, focus, rotate, SD card
    wifi: str  # Reolink Duo 2: WiFi and cable (stays online through WiFi calls)
    plain: str  # RLC-810A: no PTZ, no WiFi, no PIR
    battery: str  # Argus 3 Pro: PIR, battery
    offline: str  # RLC-823A, forced offline
    firmware: str  # a .pak image that was uploaded


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Api, Devices]]:
    with start(devices=0) as running:
        api = Api(running)
        offline = api.add("RLC-823A").uid
        assert api.control("POST", f"/devices/{offline}/offline").status_code == 200
        image = "RLC-823A.2201_23041000.REOLINK.pak"
        assert api.post(f"/v1.0/firmware/{image}", data=b"\x00image").status_code == 200
        yield (
            api,
            Devices(
                ptz=api.add("RLC-823A").uid,
                wifi=api.add("Reolink Duo 2").uid,
                plain=api.add("RLC-810A").uid,
                battery=api.add("Argus 3 Pro").uid,
                offline=offline,
                firmware=image,
            ),
        )


def call(api: Api, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    r = api.http.request(method, api.url(path), timeout=10, **kw)
    body = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else None
    return r.status_code, body


def answer(api: Api, method: str, path: str, **kw: Any) -> tuple[int, str | None]:
    status, body = call(api, method, path, **kw)
    return status, (body or {}).get("error", {}).get("symbol") if isinstance(body, dict) else None


def dev(uid: str) -> str:
    return f"/v1.0/devices/{uid}"


def today(api: Api) -> dt.date:
    return dt.datetime.fromtimestamp(api.sim.now(), dt.UTC).date()


def day_query(api: Api, **overrides: Any) -> dict[str, Any]:
    query = {
        "channel": 0,
        "stream_type": "mainStream",
        "record_date": str(today(api) - dt.timedelta(days=1)),
        "start_at": "00:00:00",
        "end_at": "23:59:59",
    }
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


# --- order: path, then body, then query, and only then the device ------------------------


def test_it_answers_invalid_parameter_to_a_malformed_request_for_an_offline_device(world: tuple[Api, Devices]) -> None:
    api, d = world
    assert answer(api, "GET", dev(d.offline) + "/settings/alarm") == (404, "device_offline")
    assert answer(api, "PUT", dev(d.offline) + "/settings/alarm", json={"enabled": "true"}) == (
        400,
        "invalid_parameter",
    )
    query = day_query(api, stream_type="externStream")
    assert answer(api, "GET", dev(d.offline) + "/records", params=query) == (400, "invalid_parameter")


def test_it_answers_invalid_parameter_to_a_malformed_request_a_device_cannot_do(world: tuple[Api, Devices]) -> None:
    api, d = world
    zoom = dev(d.plain) + "/ptz/zoom"
    assert answer(api, "PATCH", zoom, json={"channel": 0, "action": "inc"}) == (400, "cmd_not_support")
    assert answer(api, "PATCH", zoom, json={"channel": 0, "action": "Inc"}) == (400, "invalid_parameter")
    wifi = dev(d.plain) + "/wifi/test"
    assert answer(api, "POST", wifi, json={"ssid": "Reolink", "key": "reolink123", "countryCode": "US"}) == (
        400,
        "cmd_not_support",
    )
    assert answer(api, "POST", wifi, json={"ssid": "Reolink", "key": "reolink123", "countryCode": "us"}) == (
        400,
        "invalid_parameter",
    )


def test_it_checks_path_parameters_before_the_body(world: tuple[Api, Devices]) -> None:
    api, _d = world
    status, body = call(api, "PUT", dev("952700000a5s348e") + "/settings/alarm", json={"enabled": "true"})
    assert status == 400 and body["error"]["symbol"] == "invalid_parameter" and "uid" in body["error"]["message"]


@pytest.mark.parametrize(
    "uid", ["952700000a5s348e", "95270000A5S348E", "952700000A5S348EX", "95270000-A5S348E", "952700000A5S348E%0A"]
)
def test_it_takes_uids_of_sixteen_upper_case_letters_or_digits_only(world: tuple[Api, Devices], uid: str) -> None:
    api, _d = world
    assert answer(api, "GET", dev(uid) + "/settings/general-config") == (400, "invalid_parameter")


def test_it_answers_invalid_filename_before_the_store_and_the_device(
    world: tuple[Api, Devices],
) -> None:
    api, d = world
    for uid in (d.ptz, d.offline):
        path = dev(uid) + "/upgrade-session"
        # Never uploaded, and the device may be offline: the name is judged first.
        assert answer(api, "POST", path, json={"upgradeFile": "image.bin", "factoryReset": False}) == (
            400,
            "invalid_filename",
        )
        assert answer(api, "POST", path, json={"upgradeFile": "never.pak", "factoryReset": False}) == (
            404,
            "file_not_found",
        )
    path = dev(d.offline) + "/upgrade-session"
    assert answer(api, "POST", path, json={"upgradeFile": d.firmware, "factoryReset": False}) == (404, "device_offline")


def test_it_answers_invalid_filename_to_a_firmware_upload_with_a_bad_name(world: tuple[Api, Devices]) -> None:
    api, _d = world
    for name in ("image.bin", "image.pak.zip", "image.PAK"):
        assert answer(api, "POST", f"/v1.0/firmware/{name}", data=b"\x00") == (400, "invalid_filename")


@pytest.mark.parametrize("session_id", ["short", "A" * 31, "A" * 33, "QTmFqiMBfgG9x80bmzyTyMX0CGjmaxa-"])
def test_it_refuses_a_wifi_scan_session_id_of_the_wrong_shape(world: tuple[Api, Devices], session_id: str) -> None:
    api, d = world
    assert answer(api, "GET", dev(d.wifi) + f"/wifi/scan/{session_id}") == (400, "invalid_parameter")
    # The right shape is looked up, and unknown.
    assert answer(api, "GET", dev(d.wifi) + "/wifi/scan/QTmFqiMBfgG9x80bmzyTyMX0CGjmaxay") == (404, "session_not_found")


@pytest.mark.parametrize("session_id", ["abc", "not-a-session", UPGRADE_ID])
def test_it_answers_session_not_found_to_any_unknown_upgrade_session_id_whatever_its_shape(
    world: tuple[Api, Devices], session_id: str
) -> None:
    api, d = world
    # The real server checks no shape here: "abc" is looked up, and unknown (facts).
    assert answer(api, "GET", dev(d.ptz) + f"/upgrade-session/{session_id}") == (404, "session_not_found")
    assert answer(api, "GET", dev(d.offline) + f"/upgrade-session/{session_id}") == (404, "session_not_found")


def test_it_still_refuses_a_malformed_uid_before_the_upgrade_session(world: tuple[Api, Devices]) -> None:
    api, _d = world
    assert answer(api, "GET", "/v1.0/devices/nope/upgrade-session/abc") == (400, "invalid_parameter")


# --- types and spellings --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "false", 1, 0, None])
def test_it_takes_the_alarm_switch_only_as_a_json_boolean(world: tuple[Api, Devices], value: object) -> None:
    api, d = world
    assert answer(api, "PUT", dev(d.ptz) + "/settings/alarm", json={"enabled": value}) == (400, "invalid_parameter")
    assert answer(api, "PUT", dev(d.ptz) + "/settings/alarm", json={"enabled": True}) == (200, None)


@pytest.mark.parametrize("body", [{"upgradeFile": "x.pak"}, {"upgradeFile": "x.pak", "factoryReset": "false"}])
def test_it_requires_factory_reset_as_a_boolean(world: tuple[Api, Devices], body: dict[str, object]) -> None:
    api, d = world
    body = {**body, "upgradeFile": d.firmware}
    assert answer(api, "POST", dev(d.offline) + "/upgrade-session", json=body) == (400, "invalid_parameter")


@pytest.mark.parametrize("action", ["Inc", "INC", "Dec", "in", "+1", 1])
@pytest.mark.parametrize("what", ["zoom", "focus"])
def test_it_takes_zoom_and_focus_actions_only_as_inc_and_dec(
    world: tuple[Api, Devices], what: str, action: object
) -> None:
    api, d = world
    path = dev(d.ptz) + f"/ptz/{what}"
    assert answer(api, "PATCH", path, json={"channel": 0, "action": action}) == (400, "invalid_parameter")
    assert answer(api, "PATCH", path, json={"channel": 0, "action": "inc"}) == (200, None)
    assert answer(api, "PATCH", path, json={"channel": 0, "action": "dec"}) == (200, None)


@pytest.mark.parametrize("direction", ["rightUP", "None", "Left", "LEFTDOWN", "upLeft", "stop"])
def test_it_takes_rotate_directions_only_in_lower_camel_case(world: tuple[Api, Devices], direction: str) -> None:
    api, d = world
    path = dev(d.ptz) + "/ptz/rotate"
    assert answer(api, "POST", path, json={"channel": 0, "direction": direction, "speed": 5}) == (
        400,
        "invalid_parameter",
    )
    assert answer(api, "POST", path, json={"channel": 0, "direction": "rightUp", "speed": 5}) == (200, None)
    assert answer(api, "POST", path, json={"channel": 0, "direction": "none", "speed": 5}) == (200, None)


def test_it_takes_stream_types_only_as_the_tables_list_them(world: tuple[Api, Devices]) -> None:
    api, d = world
    records = dev(d.ptz) + "/records"
    assert answer(api, "GET", records, params=day_query(api, stream_type="externStream")) == (400, "invalid_parameter")
    assert answer(api, "GET", records, params=day_query(api, stream_type="MainStream")) == (400, "invalid_parameter")
    assert answer(api, "GET", records, params=day_query(api, stream_type="subStream")) == (200, None)
    live = dev(d.ptz) + "/live/play-session"
    for wrong in ("mainstream", "MainStream", "extern", ""):
        assert answer(api, "POST", live, json={"channel": 0, "streamType": wrong}) == (400, "invalid_parameter")
        snap = dev(d.ptz) + "/snap/snapshot.jpg"
        assert answer(api, "GET", snap, params={"channel": 0, "stream_type": wrong}) == (400, "invalid_parameter")
    assert answer(api, "POST", live, json={"channel": 0, "streamType": "externStream"}) == (200, None)


@pytest.mark.parametrize("country", ["us", "Us", "uS", "USA", "U", "1A", 12, "US\n"])
@pytest.mark.parametrize(("method", "tail"), [("PUT", "/settings/wifi-config"), ("POST", "/wifi/test")])
def test_it_takes_country_codes_only_as_two_upper_case_letters(
    world: tuple[Api, Devices], method: str, tail: str, country: object
) -> None:
    api, d = world
    body = {"ssid": "Reolink", "key": "reolink123", "countryCode": country}
    assert answer(api, method, dev(d.wifi) + tail, json=body) == (400, "invalid_parameter")
    assert answer(api, method, dev(d.wifi) + tail, json={**body, "countryCode": "US"}) == (200, None)


def _without_channel(api: Api, d: Devices) -> list[tuple[str, str, dict[str, Any]]]:
    yesterday = today(api) - dt.timedelta(days=1)
    return [
        ("PATCH", dev(d.ptz) + "/ptz/zoom", {"json": {"action": "inc"}}),
        ("PATCH", dev(d.ptz) + "/ptz/focus", {"json": {"action": "inc"}}),
        ("POST", dev(d.ptz) + "/ptz/rotate", {"json": {"direction": "left", "speed": 5}}),
        ("POST", dev(d.ptz) + "/live/play-session", {"json": {"streamType": "mainStream"}}),
        ("POST", dev(d.ptz) + "/records/play-session", {"json": {"fileName": "/mnt/sda/x.mp4"}}),
        ("GET", dev(d.ptz) + "/snap/snapshot.jpg", {"params": {"stream_type": "mainStream"}}),
        ("GET", dev(d.ptz) + "/records/calendar/", {"params": {"year": yesterday.year, "month": yesterday.month}}),
        ("GET", dev(d.ptz) + "/records", {"params": day_query(api, channel=None)}),
    ]


def test_it_requires_the_channel_where_the_document_lists_it(world: tuple[Api, Devices]) -> None:
    api, d = world
    for method, path, kw in _without_channel(api, d):
        assert answer(api, method, path, **kw) == (400, "invalid_parameter"), (method, path)


def test_it_takes_the_channel_only_as_an_integer_from_0_to_31(world: tuple[Api, Devices]) -> None:
    api, d = world
    path = dev(d.ptz) + "/live/play-session"
    for channel in (-1, 32, "0", True, None, 0.5):
        assert answer(api, "POST", path, json={"channel": channel, "streamType": "subStream"}) == (
            400,
            "invalid_parameter",
        )
    assert answer(api, "POST", path, json={"channel": 1, "streamType": "subStream"}) == (
        404,
        "device_channel_not_found",
    )


# --- recordings of a day ------------------------------------------------------------------------


def test_it_takes_recordings_by_record_date_with_start_at_and_end_at(world: tuple[Api, Devices]) -> None:
    api, d = world
    status, body = call(api, "GET", dev(d.ptz) + "/records", params=day_query(api))
    assert status == 200 and set(body) >= {"totalRows", "items"}


def test_it_refuses_the_start_time_and_end_time_form(world: tuple[Api, Devices]) -> None:
    api, d = world
    day = today(api) - dt.timedelta(days=1)
    query = {"channel": 0, "stream_type": "mainStream", "start_time": f"{day} 00:00:00", "end_time": f"{day} 23:59:59"}
    assert answer(api, "GET", dev(d.ptz) + "/records", params=query) == (400, "invalid_parameter")


@pytest.mark.parametrize(
    ("start_at", "end_at"), [("10:00:00", "10:00:00"), ("11:00:00", "10:00:00"), ("24:00:00", "23:00:00")]
)
def test_it_refuses_a_start_not_before_its_end(world: tuple[Api, Devices], start_at: str, end_at: str) -> None:
    api, d = world
    query = day_query(api, start_at=start_at, end_at=end_at)
    assert answer(api, "GET", dev(d.ptz) + "/records", params=query) == (400, "invalid_parameter")


@pytest.mark.parametrize(
    "overrides",
    [{"record_date": "2024-13-01"}, {"record_date": "20240101"}, {"start_at": "1:00:00"}, {"end_at": "23:59"}],
)
def test_it_refuses_malformed_dates_and_times(world: tuple[Api, Devices], overrides: dict[str, str]) -> None:
    api, d = world
    assert answer(api, "GET", dev(d.ptz) + "/records", params=day_query(api, **overrides)) == (400, "invalid_parameter")


# --- routes: one per function ---------------------------------------------------------------------


def test_it_takes_rotate_by_post_only(world: tuple[Api, Devices]) -> None:
    api, d = world
    body = {"channel": 0, "direction": "left", "speed": 5}
    assert call(api, "PATCH", dev(d.ptz) + "/ptz/rotate", json=body) == (404, NOT_FOUND)
    assert call(api, "POST", dev(d.ptz) + "/ptz/rotate", json=body) == (200, {"message": "ok"})


def test_it_serves_playback_sessions_under_records_only(world: tuple[Api, Devices]) -> None:
    api, d = world
    body = {"channel": 0, "fileName": "/mnt/sda/Mp4Record/2020-01-01/nothing.mp4"}
    assert call(api, "POST", dev(d.ptz) + "/play-session", json=body) == (404, NOT_FOUND)
    assert answer(api, "POST", dev(d.ptz) + "/records/play-session", json=body) == (404, "file_not_found")


def test_it_serves_wifi_scan_results_under_scan_only(world: tuple[Api, Devices]) -> None:
    api, d = world
    sid = call(api, "POST", dev(d.wifi) + "/wifi/scan-task")[1]["sessionId"]
    assert call(api, "GET", dev(d.wifi) + f"/wifi/{sid}") == (404, NOT_FOUND)
    assert call(api, "GET", dev(d.wifi) + f"/wifi/scan/{sid}")[0] == 200


def test_it_sets_wifi_by_put_on_wifi_config_only(world: tuple[Api, Devices]) -> None:
    api, d = world
    body = {"ssid": "Reolink", "key": "reolink123", "countryCode": "US"}
    assert call(api, "PUT", dev(d.wifi) + "/wifi/test", json=body) == (404, NOT_FOUND)


def test_it_answers_the_calendar_with_and_without_a_trailing_slash(world: tuple[Api, Devices]) -> None:
    api, d = world
    t = today(api)
    params = {"channel": 0, "year": t.year, "month": t.month}
    with_slash = call(api, "GET", dev(d.ptz) + "/records/calendar/", params=params)
    assert with_slash[0] == 200
    assert call(api, "GET", dev(d.ptz) + "/records/calendar", params=params) == with_slash


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("DELETE", "/settings/alarm"),
        ("POST", "/settings/general-config"),
        ("GET", "/ptz/zoom"),
        ("PUT", "/ptz/focus"),
        ("GET", "/live/play-session"),
        ("POST", "/states/battery"),
        ("GET", "/wifi/test"),
        ("GET", "/settings/unknown"),
        ("GET", "/records/calendar/extra"),
    ],
)
def test_it_answers_resource_not_found_to_unknown_routes_and_wrong_methods(
    world: tuple[Api, Devices], method: str, tail: str
) -> None:
    api, d = world
    assert call(api, method, dev(d.ptz) + tail) == (404, NOT_FOUND)
    assert call(api, method, f"/v1.0/nothing{tail}") == (404, NOT_FOUND)
