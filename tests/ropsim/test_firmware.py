"""Firmware upload and upgrade sessions over HTTP."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ropsim.models import CATALOGUE
from tests.ropsim.conftest import Api, symbol

FW = "/v1.0/firmware"


def upload(api: Api, name: str, data: bytes | Iterator[bytes] = b"\x00FIRMWARE" * 100, **kw: Any) -> requests.Response:
    return api.post(f"{FW}/{name}", data=data, **kw)


def image_for(model: str, build: int = 9001, date: str = "240101") -> str:
    return CATALOGUE[model].firmware_filename(build, date)


def wait_status(api: Api, uid: str, sid: str, want: str, timeout: float = 5.0) -> dict[str, str]:
    deadline = time.time() + timeout
    while True:
        body: dict[str, str] = api.get(f"/v1.0/devices/{uid}/upgrade-session/{sid}").json()
        if body.get("status") == want or time.time() > deadline:
            return body
        time.sleep(0.03)


def test_it_stores_an_uploaded_image_with_size_and_sha256(api: Api) -> None:
    data = os.urandom(700_000)
    r = upload(
        api,
        "Reolink-Duo-2.2143_23042822.BIPC_529MIX32M35B17B6MP.paks",
        data,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )  # as the spec's example
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    listed = api.control("GET", "/firmware").json()["items"]
    assert listed[0]["size"] == len(data) and listed[0]["sha256"] == hashlib.sha256(data).hexdigest()
    with open(os.path.join(api.sim.firmware.dir, listed[0]["name"]), "rb") as fh:
        assert fh.read() == data


def test_it_streams_a_large_upload_in_chunks(api: Api) -> None:
    chunks = [os.urandom(1 << 20) for _ in range(6)]  # 6 MiB, above the app's in-memory body limit
    r = upload(api, "big.pak", iter(chunks))  # chunked transfer encoding
    assert r.status_code == 200, r.text
    assert api.sim.firmware.files["big.pak"].size == 6 << 20
    assert api.sim.firmware.files["big.pak"].sha256 == hashlib.sha256(b"".join(chunks)).hexdigest()


@pytest.mark.parametrize(
    "name", ["firmware.bin", "firmware.pak.zip", "firmware", ".pak", "a%20b..pak", "x" * 260 + ".pak"]
)
def test_it_rejects_names_not_ending_in_pak_or_paks(shared: Api, name: str) -> None:
    r = upload(shared, name)
    assert r.status_code == 400 and symbol(r) == "invalid_filename"


def test_it_rejects_a_second_upload_of_the_same_name(api: Api) -> None:
    assert upload(api, "dup.pak").status_code == 200
    r = upload(api, "dup.pak", b"other")
    assert r.status_code == 400 and symbol(r) == "duplicate_firmware"


def test_it_rejects_multipart_firmware(api: Api) -> None:
    r = api.post(f"{FW}/form.pak", files={"file": ("form.pak", b"\x00" * 1000)})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"
    assert "form.pak" not in api.sim.firmware.files
    assert os.listdir(api.sim.firmware.dir) == []


def test_it_rejects_a_multipart_body_sent_with_another_content_type(api: Api) -> None:
    body = (
        b'--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="a.pak"\r\n\r\n'
        + b"\x00" * 5000
        + b"\r\n--XyZ123--\r\n"
    )
    r = upload(api, "sneaky.pak", body, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"
    assert "sneaky.pak" not in api.sim.firmware.files and os.listdir(api.sim.firmware.dir) == []


def test_it_rejects_an_empty_upload(api: Api) -> None:
    assert symbol(upload(api, "empty.pak", b"")) == "invalid_parameter"


def _session(api: Api, uid: str, name: str, factory_reset: object = False) -> requests.Response:
    return api.post(f"/v1.0/devices/{uid}/upgrade-session", json={"upgradeFile": name, "factoryReset": factory_reset})


def test_it_reboots_the_device_and_changes_its_firmware_on_a_successful_upgrade(api: Api) -> None:
    dev = api.add("RLC-810A")
    name = image_for("RLC-810A", 3333, "240315")
    upload(api, name)
    r = _session(api, dev.uid, name)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"sessionId", "expiredIn"} and 60 <= body["expiredIn"] <= 3600
    uuid.UUID(body["sessionId"])
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{body['sessionId']}").json() == {"status": "upgrading"}
    time.sleep(0.2)  # past half of --upgrade-seconds 0.3: rebooting
    listed = [i["uid"] for i in api.get("/v1.0/devices").json()["items"]]
    assert dev.uid not in listed
    assert symbol(api.get(f"/v1.0/devices/{dev.uid}/settings/general-config")) == "device_offline"
    assert wait_status(api, dev.uid, body["sessionId"], "upgrade_success") == {"status": "upgrade_success"}
    item = next(i for i in api.get("/v1.0/devices").json()["items"] if i["uid"] == dev.uid)
    assert item["firmware"] == "RLC_810A_240315_3333"


def test_it_resets_name_and_settings_on_factory_reset_after_an_upgrade(api: Api) -> None:
    dev = api.add("Argus 3 Pro")
    api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 90})
    api.put(f"/v1.0/devices/{dev.uid}/settings/general-config", json={"deviceName": "Renamed"})
    api.put(f"/v1.0/devices/{dev.uid}/settings/alarm", json={"enabled": False})
    name = image_for("Argus 3 Pro")
    upload(api, name)
    sid = _session(api, dev.uid, name, True).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": "upgrade_success"}
    assert api.get(f"/v1.0/devices/{dev.uid}/settings/general-config").json() == {"deviceName": "Argus 3 Pro"}
    assert api.get(f"/v1.0/devices/{dev.uid}/settings/alarm").json() == {"enabled": True}


def test_it_fails_the_file_check_for_an_image_for_another_model(api: Api) -> None:
    dev = api.add("RLC-810A")
    name = image_for("E1 Zoom")
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": "file_check_failed"}
    assert dev.online and dev.firmware_file is None


def test_it_answers_same_version_for_the_running_image(api: Api) -> None:
    dev = api.add("RLC-823A")
    _, date, build = dev.firmware.rsplit("_", 2)
    name = image_for("RLC-823A", int(build), date)
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": "same_version"}


def test_it_answers_low_battery_for_a_battery_camera_below_the_threshold(api: Api) -> None:
    dev = api.add("Argus 2")
    api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 12})
    name = image_for("Argus 2")
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": "low_battery"}


@pytest.mark.parametrize("outcome", ["out_of_memory", "unknown_error"])
def test_it_produces_out_of_memory_and_unknown_error_at_configured_rates(make_api, outcome: str) -> None:
    api = make_api(**{f"{outcome}_rate": 1.0})
    dev = api.add("RLC-810A")
    name = image_for("RLC-810A")
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": outcome}


def test_it_applies_a_forced_outcome_to_the_next_upgrade(api: Api) -> None:
    dev = api.add("RLC-810A")
    api.control("PUT", f"/devices/{dev.uid}/upgrade-outcome", json={"outcome": "unknown_error"})
    name = image_for("RLC-810A")
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    api.advance(1)
    assert api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}").json() == {"status": "unknown_error"}
    assert api.control("PUT", f"/devices/{dev.uid}/upgrade-outcome", json={"outcome": "bogus"}).status_code == 400


def test_it_answers_file_not_found_for_a_never_uploaded_file_before_checking_the_device(api: Api) -> None:
    dev = api.add("RLC-810A")
    api.control("POST", f"/devices/{dev.uid}/offline")
    r = _session(api, dev.uid, "missing.pak")
    assert r.status_code == 404 and symbol(r) == "file_not_found"
    upload(api, "present.pak")
    assert symbol(_session(api, dev.uid, "present.pak")) == "device_offline"


@pytest.mark.parametrize(
    "body",
    [
        {"upgradeFile": "x.pak"},
        {"factoryReset": False},
        {"upgradeFile": "x.pak", "factoryReset": "no"},
        {"upgradeFile": 5, "factoryReset": False},
    ],
)
def test_it_validates_upgrade_session_bodies(shared: Api, body: dict[str, object]) -> None:
    uid = shared.device(lambda d: True).uid
    r = shared.post(f"/v1.0/devices/{uid}/upgrade-session", json=body)
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_answers_duplicate_upgrade_for_a_device_already_upgrading(api: Api) -> None:
    dev = api.add("RLC-810A")
    name = image_for("RLC-810A")
    upload(api, name)
    assert _session(api, dev.uid, name).status_code == 200
    r = _session(api, dev.uid, name)
    assert r.status_code == 400 and symbol(r) == "duplicate_upgrade"


def test_it_limits_concurrent_upgrades(make_api) -> None:
    api = make_api(upgrade_session_limit=2, upgrade_seconds=60)
    name = image_for("RLC-810A")
    upload(api, name)
    devs = [api.add("RLC-810A") for _ in range(3)]
    assert _session(api, devs[0].uid, name).status_code == 200
    assert _session(api, devs[1].uid, name).status_code == 200
    r = _session(api, devs[2].uid, name)
    assert r.status_code == 400 and symbol(r) == "up_to_upgrade_session_limit"
    api.advance(61)  # both finish; slots free up
    assert _session(api, devs[2].uid, name).status_code == 200


def test_it_answers_session_not_found_for_unknown_foreign_and_expired_upgrade_sessions(api: Api) -> None:
    dev, other = api.add("RLC-810A"), api.add("RLC-810A")
    name = image_for("RLC-810A")
    upload(api, name)
    sid = _session(api, dev.uid, name).json()["sessionId"]
    for uid, s in ((dev.uid, str(uuid.uuid4())), (other.uid, sid)):
        r = api.get(f"/v1.0/devices/{uid}/upgrade-session/{s}")
        assert r.status_code == 404 and symbol(r) == "session_not_found"
    api.advance(3601)
    assert symbol(api.get(f"/v1.0/devices/{dev.uid}/upgrade-session/{sid}")) == "session_not_found"
