"""Odd values from a Core Server (or from the alarm webhook's caller) that Python's int() and
datetime would choke on: a non-ASCII digit, a time too large for a date. The client answers a
clear error or treats the value as unknown, never an unexpected exception."""

from __future__ import annotations

import datetime as dt

import pytest

from rop import InitializationSession, PirConfig, WifiScanTask, errors, parse_alarm_notification
from rop.models import read_int

ALARM = {"uid": "952700000A5S348E", "status": "MD"}


@pytest.mark.parametrize("channel", ["²", "٣", "1_0", "+1", " ", "0x1"])
def test_it_refuses_a_channel_id_that_is_not_plain_ascii_digits(channel: str) -> None:
    with pytest.raises(errors.InvalidAlarmNotification, match="channelId"):
        parse_alarm_notification({**ALARM, "channelId": channel})


def test_it_still_takes_a_channel_id_as_a_string_or_a_number() -> None:
    assert parse_alarm_notification({**ALARM, "channelId": " 12 "}).channel == 12
    assert parse_alarm_notification({**ALARM, "channelId": 3}).channel == 3


@pytest.mark.parametrize("value", ["²", "٣", "1_000", "1e3", ""])
def test_it_reads_only_ascii_integers_from_answers(value: str) -> None:
    with pytest.raises(errors.UnexpectedResponse, match="channel is not an integer"):
        read_int(value, "channel")


def test_it_reads_signed_integers_with_spaces_from_answers() -> None:
    assert read_int(" -7 ", "channel") == -7
    assert read_int("+7", "channel") == 7


@pytest.mark.parametrize("millis", [10**20, -(10**20), 2**63, 10**400])
def test_it_treats_an_expiring_at_beyond_any_date_as_unknown(millis: int) -> None:
    task = WifiScanTask.from_json({"sessionId": "a" * 32, "expiringAt": millis})
    assert task.session_id == "a" * 32
    assert task.expiring_at is None


def test_it_reads_a_plausible_expiring_at() -> None:
    task = WifiScanTask.from_json({"sessionId": "a" * 32, "expiringAt": 1_700_000_000_000})
    assert task.expiring_at == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


def test_it_has_no_server_time_for_a_time_beyond_any_date() -> None:
    answer = {
        "host": "rop.example",
        "getCAPort": 61000,
        "getCertPort": 61001,
        "registerPort": 61002,
        "code": "c",
        "caHash": "h",
        "time": 10**400,
    }
    session = InitializationSession.from_json(answer)
    assert session.time == 10**400
    assert session.server_time is None
    assert InitializationSession.from_json({**answer, "time": 1686822272}).server_time == dt.datetime(
        2023, 6, 15, 9, 44, 32, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(("sent", "read"), [(10**12, 100), (-5, 0), (55, 55)])
def test_it_reads_a_pir_sensitivity_out_of_range_as_the_nearest_bound(sent: int, read: int) -> None:
    # Stored in a small integer column: an answer beyond 0-100 must not fail the poll.
    config = PirConfig.from_json({"enabled": True, "sensitivity": sent, "reduceMistakes": False})
    assert config.sensitivity == read
