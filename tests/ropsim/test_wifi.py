"""WiFi configuration, scans and tests."""

from __future__ import annotations

import re
import time

import pytest

from tests.ropsim.conftest import Api, symbol


def wifi_path(uid: str, tail: str) -> str:
    return f"/v1.0/devices/{uid}/{tail}"


def test_it_reports_the_wifi_configuration(shared: Api) -> None:
    dev = shared.device(lambda d: d.model.wifi)
    body = shared.get(wifi_path(dev.uid, "settings/wifi-config")).json()
    assert dev.wifi is not None
    assert body == {"ssid": dev.wifi.ssid, "channel": dev.wifi.channel, "countryCode": "US"}


@pytest.mark.parametrize("tail", ["settings/wifi-config", "wifi/scan-task"])
def test_it_answers_cmd_not_support_for_wired_only_devices(shared: Api, tail: str) -> None:
    dev = shared.device(lambda d: not d.model.wifi)
    method = shared.get if tail.startswith("settings") else shared.post
    r = method(wifi_path(dev.uid, tail))
    assert r.status_code == 400 and symbol(r) == "cmd_not_support"
    r = shared.post(wifi_path(dev.uid, "wifi/test"), json={"ssid": "Reolink", "key": "reolink123", "countryCode": "US"})
    assert symbol(r) == "cmd_not_support"


def test_it_keeps_a_dual_device_online_when_setting_wifi(api: Api) -> None:
    dev = api.add("Reolink Duo 2")
    r = api.put(
        wifi_path(dev.uid, "settings/wifi-config"), json={"ssid": "TP-LINK_JIN", "key": "88888888", "countryCode": "US"}
    )
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    assert dev.online
    assert api.get(wifi_path(dev.uid, "settings/wifi-config")).json()["ssid"] == "TP-LINK_JIN"
    assert api.get(wifi_path(dev.uid, "settings/wifi-config")).json()["countryCode"] == "US"


def test_it_disconnects_a_wifi_only_device_for_a_while_when_setting_wifi(api: Api) -> None:
    dev = api.add("E1 Zoom")
    r = api.put(
        wifi_path(dev.uid, "settings/wifi-config"), json={"ssid": "Reolink", "key": "reolink123", "countryCode": "US"}
    )
    assert r.status_code == 200
    assert dev.uid not in [i["uid"] for i in api.get("/v1.0/devices").json()["items"]]
    assert symbol(api.get(wifi_path(dev.uid, "settings/wifi-config"))) == "device_offline"
    api.advance(1)  # --wifi-reconnect-seconds 0.3 in tests
    assert api.get(wifi_path(dev.uid, "settings/wifi-config")).json()["ssid"] == "Reolink"


def test_it_keeps_a_wifi_only_device_given_a_wrong_key_away_until_reset(api: Api) -> None:
    dev = api.add("Argus 2")
    api.put(wifi_path(dev.uid, "settings/wifi-config"), json={"ssid": "Reolink", "key": "nope", "countryCode": "US"})
    api.advance(3600)
    assert not dev.online
    api.control("POST", f"/devices/{dev.uid}/online")
    assert dev.online


def test_it_has_no_route_for_the_examples_put_on_wifi_test(api: Api) -> None:
    dev = api.add("Reolink Duo 2")
    before = dev.wifi.ssid if dev.wifi else None
    r = api.put(
        wifi_path(dev.uid, "wifi/test"), json={"ssid": "NETGEAR36", "key": "netgear-36-pass", "countryCode": "US"}
    )
    assert r.status_code == 404 and r.json() == {"message": "resource not found."}
    assert (dev.wifi.ssid if dev.wifi else None) == before


@pytest.mark.parametrize(
    "body",
    [
        {"ssid": "", "key": "k", "countryCode": "US"},
        {"ssid": "x" * 128, "key": "k", "countryCode": "US"},
        {"ssid": "ok", "key": "k" * 128, "countryCode": "US"},
        {"ssid": "ok", "key": "k", "countryCode": "USA"},
        {"ssid": "ok", "key": "k", "countryCode": "1A"},
        {"ssid": "ok", "key": "k", "countryCode": "us"},  # the WiFi test example's; refused by the real server
        {"ssid": "ok", "countryCode": "US"},
        {"key": "k", "countryCode": "US"},
        {"ssid": "ok", "key": "k"},
        {"ssid": "tab\there", "key": "k", "countryCode": "US"},
    ],
)
def test_it_validates_wifi_bodies(shared: Api, body: dict[str, object]) -> None:
    dev = shared.device(lambda d: d.model.wifi)
    for method, tail in ((shared.put, "settings/wifi-config"), (shared.post, "wifi/test")):
        r = method(wifi_path(dev.uid, tail), json=body)
        assert r.status_code == 400 and symbol(r) == "invalid_parameter"


@pytest.mark.parametrize(
    ("ssid", "key", "expected"),
    [
        ("TP-LINK_JIN", "88888888", "success"),  # the spec's example
        ("TP-LINK_JIN", "wrong", "error"),
        ("Reolink_Guest", "", "success"),  # open network
        ("NotAround", "NotAround-key", "error"),  # not visible to the device
    ],
)
def test_it_answers_the_wifi_test_by_network_and_key(api: Api, ssid: str, key: str, expected: str) -> None:
    dev = api.add("Reolink Duo 2")
    r = api.post(wifi_path(dev.uid, "wifi/test"), json={"ssid": ssid, "key": key, "countryCode": "US"})
    assert r.status_code == 200 and r.json() == {"status": expected}
    assert dev.online  # wired: stays connected


def test_it_disconnects_a_wifi_only_device_briefly_for_the_wifi_test(api: Api) -> None:
    dev = api.add("E1 Zoom")
    r = api.post(wifi_path(dev.uid, "wifi/test"), json={"ssid": "Reolink", "key": "reolink123", "countryCode": "US"})
    assert r.json() == {"status": "success"} and not dev.online
    api.advance(1)
    assert api.get(wifi_path(dev.uid, "settings/wifi-config")).status_code == 200


def test_it_reports_a_scan_task_scanning_then_success(api: Api) -> None:
    dev = api.add("Argus 3 Pro")
    before = int(time.time() * 1000)
    r = api.post(wifi_path(dev.uid, "wifi/scan-task"))
    assert r.status_code == 200
    body = r.json()
    assert re.fullmatch(r"[A-Za-z0-9]{32}", body["sessionId"]) and body["expiringAt"] > before
    sid = body["sessionId"]
    assert api.get(wifi_path(dev.uid, f"wifi/scan/{sid}")).json()["status"] == "scanning"
    api.advance(1)
    result = api.get(wifi_path(dev.uid, f"wifi/scan/{sid}")).json()
    assert result["status"] == "success"
    assert 0 < len(result["wifiList"]) <= 64
    for net in result["wifiList"]:
        assert set(net) == {"ssid", "signal", "encryptMode"}
        assert -120 <= net["signal"] <= -30 and net["encryptMode"] in ("auto", "none")
    # The example's /wifi/{session-id} is not a route of the real server.
    assert api.get(wifi_path(dev.uid, f"wifi/{sid}")).json() == {"message": "resource not found."}


@pytest.mark.parametrize("outcome", ["error", "timeout"])
def test_it_can_force_scan_failures(api: Api, outcome: str) -> None:
    api.control("PUT", "/faults", json={"scan_outcome": outcome})
    dev = api.add("Argus PT")
    sid = api.post(wifi_path(dev.uid, "wifi/scan-task")).json()["sessionId"]
    api.advance(1)
    assert api.get(wifi_path(dev.uid, f"wifi/scan/{sid}")).json() == {"status": outcome, "wifiList": []}


def test_it_answers_session_not_found_for_unknown_foreign_and_expired_scan_sessions(api: Api) -> None:
    dev, other = api.add("Argus PT"), api.add("Argus PT")
    sid = api.post(wifi_path(dev.uid, "wifi/scan-task")).json()["sessionId"]
    for uid, s in ((dev.uid, "A" * 32), (other.uid, sid)):
        r = api.get(wifi_path(uid, f"wifi/scan/{s}"))
        assert r.status_code == 404 and symbol(r) == "session_not_found"
    api.advance(121)
    assert symbol(api.get(wifi_path(dev.uid, f"wifi/scan/{sid}"))) == "session_not_found"
    # GET on a non-session word under /wifi/ is simply not a route.
    assert api.get(wifi_path(dev.uid, "wifi/test")).json() == {"message": "resource not found."}
