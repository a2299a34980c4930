"""WiFi configuration, scan tasks and the WiFi test."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from rop import WifiConfig, WifiNetwork, WifiScanStatus, errors


def test_it_reads_the_wifi_configuration(client, control, wired_wifi_camera):
    wifi = control.device(wired_wifi_camera)["wifi"]
    assert client.get_wifi_config(wired_wifi_camera) == WifiConfig(
        ssid=wifi["ssid"], channel=wifi["channel"], country_code=wifi["countryCode"]
    )


def test_it_sets_the_wifi_configuration_with_the_country_code_in_capitals(client, control, wired_wifi_camera):
    client.set_wifi_config(wired_wifi_camera, "TP-LINK_JIN", "88888888", "us")
    state = control.device(wired_wifi_camera)["wifi"]
    assert (state["ssid"], state["key"], state["countryCode"]) == ("TP-LINK_JIN", "88888888", "US")
    assert client.get_wifi_config(wired_wifi_camera).country_code == "US"


def test_it_takes_a_wifi_only_camera_off_the_network_when_its_wifi_changes(client, control):
    wifi_only = control.add_device("E1 Zoom")
    client.set_wifi_config(wifi_only, "TP-LINK_JIN", "88888888", "US")
    with pytest.raises(errors.DeviceOffline):
        client.get_wifi_config(wifi_only)


def test_it_starts_a_scan_and_polls_it_until_it_is_final(client, running, wired_wifi_camera):
    task = client.start_wifi_scan(wired_wifi_camera)
    assert len(task.session_id) == 32
    assert task.expiring_at.tzinfo is not None
    assert task.expiring_at > dt.datetime.fromtimestamp(running.sim.now(), dt.UTC)

    scan = client.get_wifi_scan(wired_wifi_camera, task.session_id)
    assert scan.status is WifiScanStatus.SCANNING and not scan.status.is_final
    assert scan.networks == []
    deadline = time.monotonic() + 5
    while not scan.status.is_final and time.monotonic() < deadline:
        time.sleep(0.1)
        scan = client.get_wifi_scan(wired_wifi_camera, task.session_id)
    assert scan.status == "success"
    assert scan.networks and all(isinstance(n, WifiNetwork) for n in scan.networks)
    assert {"NETGEAR36", "TP-LINK_JIN"} <= {n.ssid for n in scan.networks}
    assert all(-120 <= n.signal <= -30 and n.encrypt_mode in ("auto", "none") for n in scan.networks)


@pytest.mark.parametrize("outcome", ["error", "timeout"])
def test_it_reports_the_final_status_of_a_failed_scan(client, faults, wired_wifi_camera, outcome):
    faults.faults(scan_outcome=outcome)
    task = client.start_wifi_scan(wired_wifi_camera)
    faults.advance_clock(5)
    scan = client.get_wifi_scan(wired_wifi_camera, task.session_id)
    assert scan.status == outcome and scan.status.is_final
    assert scan.networks == []


def test_it_raises_session_not_found_for_an_unknown_scan_session(client, wired_wifi_camera):
    with pytest.raises(errors.SessionNotFound) as caught:
        client.get_wifi_scan(wired_wifi_camera, "QTmFqiMBfgG9x80bmzyTyMX0CGjmaxay")
    assert (caught.value.symbol, caught.value.http_status) == ("session_not_found", 404)


def test_it_forgets_an_expired_scan_session(client, faults, wired_wifi_camera):
    task = client.start_wifi_scan(wired_wifi_camera)
    faults.advance_clock(3600)
    with pytest.raises(errors.SessionNotFound):
        client.get_wifi_scan(wired_wifi_camera, task.session_id)


def test_it_tells_a_good_wifi_key_from_a_bad_one(client, wired_wifi_camera):
    assert client.test_wifi(wired_wifi_camera, "TP-LINK_JIN", "88888888", "us") is True
    assert client.test_wifi(wired_wifi_camera, "TP-LINK_JIN", "wrong-key", "US") is False


def test_it_raises_command_not_supported_for_a_camera_without_wifi(client, plain_camera):
    with pytest.raises(errors.CommandNotSupported):
        client.get_wifi_config(plain_camera)
    with pytest.raises(errors.CommandNotSupported):
        client.start_wifi_scan(plain_camera)
