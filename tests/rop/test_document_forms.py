"""The client accepts every form the interface document shows, table or example.

ropsim answers the tables' forms; the examples' forms are served through its one-shot
injection (a canned 200 body on the real route), so each is still read over HTTP.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from rop import ChargeStatus, UpgradeStatus, errors

DEVICE = "/v1.0/devices/{uid}"


def test_it_reads_the_alarm_switch_from_the_examples_string_true(sim, faults, ptz_camera):
    _running, client = sim
    faults.inject(symbol=None, body={"enabled": "true"}, status=200, path=DEVICE + "/settings/alarm")
    assert client.get_alarm_enabled(ptz_camera) is True
    faults.inject(body={"enabled": "false"}, status=200, path=DEVICE + "/settings/alarm")
    assert client.get_alarm_enabled(ptz_camera) is False


def test_it_reads_the_examples_success_as_an_upgrade_success(client, faults, ptz_camera):
    faults.inject(body={"status": "success"}, status=200, path=DEVICE + "/upgrade-session/{sessionId}")
    assert client.get_upgrade_status(ptz_camera, "c165ffc8-42c1-450b-a955-bc7ad6bdc515") is UpgradeStatus.SUCCESS


@pytest.mark.parametrize("wire", ["Charging", "charging", "CHARGING"])
def test_it_reads_the_charge_status_in_the_tables_and_the_examples_case(client, faults, battery_camera, wire):
    faults.inject(body={"percent": 16, "chargeStatus": wire}, status=200, path=DEVICE + "/states/battery")
    assert client.get_battery(battery_camera).charge_status is ChargeStatus.CHARGING


def test_it_reads_recordings_with_snake_case_time_fields_too(client, faults, ptz_camera):
    item = {
        "channel": 0,
        "streamType": "mainStream",
        "start_time": "2022-01-01 01:00:10",
        "end_time": "2022-01-01 02:00:10",
        "fileName": "/mnt/sda/Mp4Record/2022-01-01/RecS02_DST20220102_000107_000310_2B14808_3F6F88.mp4",
    }
    faults.inject(body={"totalRows": 1, "items": [item]}, status=200, path=DEVICE + "/records")
    (recording,) = client.iter_recordings(ptz_camera, 0, "mainStream", dt.date(2022, 1, 1))
    assert recording.start_time == dt.datetime(2022, 1, 1, 1, 0, 10)
    assert recording.end_time == dt.datetime(2022, 1, 1, 2, 0, 10)


def test_it_reports_a_repeated_next_token_instead_of_following_it_forever(client, faults, ptz_camera):
    page = {"nextToken": "MjAyMi0xMi0yMCAyMjowOT00OQ", "totalRows": 0, "items": []}
    faults.inject(body=page, status=200, path=DEVICE + "/records", count=2)
    with pytest.raises(errors.UnexpectedResponse):
        list(client.iter_recordings(ptz_camera, 0, "mainStream", dt.date(2022, 1, 1)))


def test_it_reads_the_init_sessions_time_in_seconds_or_milliseconds_as_one_instant(client, faults):
    body = {
        "host": "www.rop.com",
        "getCAPort": 80,
        "getCertPort": 81,
        "registerPort": 82,
        "code": "yq75pv1rind84vclakr54",
        "caHash": "ney8hj7im64ld8x8x9hn3ywfklpicq8aso7r8yvk9etuassi",
        "time": 1686822272,
    }
    path = "/v1.0/devices/initialization-session"
    faults.inject(body=body, status=200, path=path)
    in_seconds = client.create_initialization_session("952700000A5S348E")
    faults.inject(body={**body, "time": 1686822272000}, status=200, path=path)
    in_millis = client.create_initialization_session("952700000A5S348E")
    assert in_seconds.server_time == in_millis.server_time == dt.datetime(2023, 6, 15, 9, 44, 32, tzinfo=dt.UTC)
    assert in_seconds.time == 1686822272


def test_it_uploads_a_raw_octet_stream_with_a_content_length(client):
    from .test_firmware import firmware_name

    sent = []
    client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    client.upload_firmware(firmware_name(), io.BytesIO(b"\x00" * 70_000))
    headers = sent[-1].headers
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Length"] == "70000"
    assert "Transfer-Encoding" not in headers
