"""Device list, initialization session, name, alarm switch, PIR and battery — over HTTP against ropsim."""

from __future__ import annotations

import datetime as dt

import pytest

from rop import Battery, ChargeStatus, InitializationSession, OnlineDevice, PirConfig, errors


def test_it_lists_the_online_devices_with_their_family_model_and_firmware(client, control, battery_camera):
    devices = {d.uid: d for d in client.list_online_devices()}
    state = control.device(battery_camera)
    assert devices[battery_camera] == OnlineDevice(
        uid=battery_camera, family="battery", model="Argus 3 Pro", firmware=state["firmware"]
    )
    assert devices[battery_camera].is_battery
    assert all(isinstance(d, OnlineDevice) for d in devices.values())


def test_it_drops_an_offline_device_from_the_online_list(client, control, plain_camera):
    control.offline(plain_camera)
    assert plain_camera not in {d.uid for d in client.list_online_devices()}
    control.online(plain_camera)
    assert plain_camera in {d.uid for d in client.list_online_devices()}


def test_it_creates_an_initialization_session_and_keeps_the_code_out_of_repr(client, running):
    session = client.create_initialization_session("952700000A5S348E")
    assert isinstance(session, InitializationSession)
    assert session.host == "127.0.0.1"
    assert (session.get_ca_port, session.get_cert_port, session.register_port) == (61000, 61001, 61002)
    assert session.code and session.code == running.sim.init_sessions["952700000A5S348E"].code
    assert session.ca_hash == running.sim.ca_hash
    assert session.code not in repr(session)
    assert session.server_time is not None
    assert abs(session.server_time - dt.datetime.fromtimestamp(running.sim.now(), dt.UTC)) < dt.timedelta(seconds=60)


def test_it_reads_and_writes_the_device_name(client, control, ptz_camera):
    assert client.get_device_name(ptz_camera) == control.device(ptz_camera)["name"]
    client.set_device_name(ptz_camera, "Front yard-2")
    assert client.get_device_name(ptz_camera) == "Front yard-2"
    assert control.device(ptz_camera)["name"] == "Front yard-2"


@pytest.mark.parametrize("enabled", [True, False])
def test_it_switches_alarm_notifications(client, control, ptz_camera, enabled):
    client.set_alarm_enabled(ptz_camera, enabled)
    assert control.device(ptz_camera)["alarmEnabled"] is enabled
    assert client.get_alarm_enabled(ptz_camera) is enabled


def test_it_reads_and_writes_the_pir_configuration(client, control, battery_camera):
    config = PirConfig(enabled=True, sensitivity=20, reduce_mistakes=False)
    client.set_pir_config(battery_camera, config)
    assert client.get_pir_config(battery_camera) == config
    assert control.device(battery_camera)["pir"] == {"enabled": True, "sensitivity": 20, "reduceMistakes": False}


@pytest.mark.parametrize("status", ["none", "charging", "completed"])
def test_it_reads_the_battery_state(client, control, battery_camera, status):
    control.set_battery(battery_camera, 16 if status != "completed" else 100, status)
    battery = client.get_battery(battery_camera)
    assert battery == Battery(percent=16 if status != "completed" else 100, charge_status=ChargeStatus(status))
    assert battery.charge_status == status


def test_it_finds_no_battery_to_report_on_a_powered_camera(client, plain_camera):
    with pytest.raises(errors.CommandNotSupported) as caught:
        client.get_battery(plain_camera)
    assert caught.value.symbol == "cmd_not_support"
    assert caught.value.http_status == 400


def test_it_raises_device_offline_for_calls_to_an_offline_device(client, control, ptz_camera):
    control.offline(ptz_camera)
    with pytest.raises(errors.DeviceOffline) as caught:
        client.get_device_name(ptz_camera)
    assert (caught.value.symbol, caught.value.http_status) == ("device_offline", 404)
    assert caught.value.message


def test_it_raises_wake_up_timeout_when_a_sleeping_battery_camera_fails_to_wake(client, faults, battery_camera):
    faults.sleep(battery_camera)
    faults.faults(wake_failure_rate=1.0)
    with pytest.raises(errors.WakeUpTimeout) as caught:
        client.get_battery(battery_camera)
    assert isinstance(caught.value, errors.CommandTimeout)
    assert (caught.value.symbol, caught.value.http_status) == ("wake_up_timeout", 400)
