"""Input the document forbids raises InvalidParameter before anything is sent."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from rop import PirConfig, errors, validation

UID = "952700000A5S348E"
TODAY = dt.date(2024, 1, 1)

CASES = [
    ("uid lower case", lambda c: c.get_device_name("952700000a5s348e"), "uid"),
    ("uid too short", lambda c: c.get_battery("95270000A5S348E"), "uid"),
    ("uid not a string", lambda c: c.get_battery(None), "uid"),
    ("channel 32", lambda c: c.create_live_session(UID, 32, "mainStream"), "channel"),
    ("channel negative", lambda c: c.get_snapshot(UID, -1, "mainStream"), "channel"),
    ("channel bool", lambda c: c.ptz_zoom(UID, "inc", channel=True), "channel"),
    ("speed 0", lambda c: c.ptz_rotate(UID, "left", 0), "speed"),
    ("speed 65", lambda c: c.ptz_rotate(UID, "left", 65), "speed"),
    ("direction", lambda c: c.ptz_rotate(UID, "sideways", 5), "direction"),
    ("zoom action", lambda c: c.ptz_zoom(UID, "in"), "action"),
    ("focus action", lambda c: c.ptz_focus(UID, ""), "action"),
    ("sensitivity 101", lambda c: c.set_pir_config(UID, PirConfig(True, 101, False)), "sensitivity"),
    # A wrong type on purpose: an untyped caller can pass one, and rop must refuse it.
    ("pir flag not bool", lambda c: c.set_pir_config(UID, PirConfig("yes", 10, False)), "enabled"),  # type: ignore[arg-type]
    ("pir not a PirConfig", lambda c: c.set_pir_config(UID, {"enabled": True}), "PirConfig"),
    ("name empty", lambda c: c.set_device_name(UID, ""), "empty"),
    ("name 32 bytes", lambda c: c.set_device_name(UID, "a" * 32), "31 bytes"),
    ("name leading space", lambda c: c.set_device_name(UID, " yard"), "space"),
    ("name trailing space", lambda c: c.set_device_name(UID, "yard "), "space"),
    ("name underscore", lambda c: c.set_device_name(UID, "front_yard"), "'_'"),
    ("name full-width", lambda c: c.set_device_name(UID, "ｙａｒｄ"), "letters"),
    ("alarm flag string", lambda c: c.set_alarm_enabled(UID, "true"), "True or False"),
    ("live externStream typo", lambda c: c.create_live_session(UID, 0, "externstream"), "stream type"),
    ("snapshot stream", lambda c: c.get_snapshot(UID, 0, "thirdStream"), "stream type"),
    ("recordings externStream", lambda c: c.iter_recordings(UID, 0, "externStream", TODAY), "stream type"),
    ("recordings date str", lambda c: c.iter_recordings(UID, 0, "mainStream", "2024-01-01"), "date"),
    (
        "recordings start>=end",
        lambda c: c.iter_recordings(UID, 0, "mainStream", TODAY, "12:00:00", "11:00:00"),
        "before",
    ),
    ("recordings bad time", lambda c: c.iter_recordings(UID, 0, "mainStream", TODAY, "25:00:00"), "HH:MM:SS"),
    ("year 1999", lambda c: c.get_recording_days(UID, 0, 1999, 1), "year"),
    ("year 3001", lambda c: c.get_recording_days(UID, 0, 3001, 1), "year"),
    ("month 0", lambda c: c.get_recording_days(UID, 0, 2024, 0), "month"),
    ("month 13", lambda c: c.get_recording_days(UID, 0, 2024, 13), "month"),
    ("ssid empty", lambda c: c.set_wifi_config(UID, "", "key12345", "US"), "ssid"),
    ("ssid 128 bytes", lambda c: c.test_wifi(UID, "s" * 128, "key12345", "US"), "ssid"),
    ("ssid character", lambda c: c.test_wifi(UID, "café", "key12345", "US"), "ssid"),
    ("key 128 bytes", lambda c: c.set_wifi_config(UID, "Home", "k" * 128, "US"), "key"),
    ("country code 3 letters", lambda c: c.set_wifi_config(UID, "Home", "key12345", "USA"), "country code"),
    ("country code digits", lambda c: c.test_wifi(UID, "Home", "key12345", "U1"), "country code"),
    ("firmware extension", lambda c: c.upload_firmware("image.bin", io.BytesIO(b"x")), ".pak"),
    ("firmware with a path", lambda c: c.upload_firmware("../image.pak", io.BytesIO(b"x")), "slashes"),
    ("firmware empty", lambda c: c.upload_firmware("image.pak", io.BytesIO(b"")), "empty"),
    ("firmware missing file", lambda c: c.upload_firmware("image.pak", "/nonexistent/image.pak"), "exist"),
    ("firmware text mode", lambda c: c.upload_firmware("image.pak", io.StringIO("x")), "binary"),
    ("upgrade file name", lambda c: c.create_upgrade_session(UID, "image.zip"), ".pak"),
    ("factory reset string", lambda c: c.create_upgrade_session(UID, "image.pak", "no"), "factory_reset"),
    ("upgrade session id", lambda c: c.get_upgrade_status(UID, ""), "session id"),
    ("scan session id with slash", lambda c: c.get_wifi_scan(UID, "a/b"), "session id"),
    ("playback file name", lambda c: c.create_playback_session(UID, 0, ""), "file name"),
    ("init uid", lambda c: c.create_initialization_session("UID"), "uid"),
]


@pytest.mark.parametrize(("label", "call", "complaint"), CASES, ids=[case[0] for case in CASES])
def test_it_raises_on_invalid_input_before_any_request_is_sent(client, control, label, call, complaint):
    before = control.total_requests()
    with pytest.raises(errors.InvalidParameter) as caught:
        call(client)
    assert complaint in caught.value.message, caught.value.message
    assert caught.value.http_status is None
    assert caught.value.symbol == "invalid_parameter"
    assert isinstance(caught.value, ValueError)  # forms can treat it as a plain ValueError
    assert control.total_requests() == before


def test_it_never_echoes_a_wifi_key_in_a_validation_message():
    with pytest.raises(errors.InvalidParameter) as caught:
        validation.validate_wifi_key("sécret-pässword")
    assert "sécret" not in caught.value.message


@pytest.mark.parametrize("name", ["front yard", "Cam-01", "A", "a" * 31, "Garage 2 - left"])
def test_it_accepts_the_device_names_the_document_allows(name):
    assert validation.validate_device_name(name) == name


def test_it_returns_the_value_to_send():
    assert validation.validate_country_code("us") == "US"
    assert validation.validate_direction("RIGHTUP") == "rightUp"
    assert validation.validate_direction("None") == "none"
    assert validation.validate_ptz_action("Inc") == "inc"
    assert validation.validate_time_of_day(dt.time(6, 5), "start") == "06:05:00"
    assert validation.validate_ssid("TP-LINK_JIN {guest}") == "TP-LINK_JIN {guest}"
    assert validation.validate_wifi_key("") == ""
    assert validation.validate_firmware_file_name("Reolink-Duo-2.2143_23042822.BIPC_529MIX32M35B17B6MP.paks")
