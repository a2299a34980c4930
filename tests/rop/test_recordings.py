"""Recording calendar, day lists with cursor pagination, playback sessions."""

from __future__ import annotations

import datetime as dt

import pytest

from rop import Recording, StreamSession, errors
from ropsim import recordings as sim_recordings

from .conftest import SEED

RECORDS = "GET /v1.0/devices/{uid}/records"


def sim_today(running) -> dt.datetime:
    # ropsim takes device-local time to be UTC.
    return dt.datetime.fromtimestamp(running.sim.now(), dt.UTC).replace(tzinfo=None)


def busy_day(running, uid: str, channel: int = 0, minimum: int = 81) -> tuple[dt.date, int]:
    """A past day on which the simulated camera recorded at least ``minimum`` clips."""
    now = sim_today(running)
    for back in range(1, 400):
        day = now.date() - dt.timedelta(days=back)
        count = len(sim_recordings.day_recordings(SEED, uid, channel, day, "mainStream", now))
        if count >= minimum:
            return day, count
    raise AssertionError("no busy day in the simulated history")


def test_it_lists_the_days_with_recordings_in_a_month(client, running, ptz_camera):
    today = sim_today(running)
    days = client.get_recording_days(ptz_camera, 0, today.year, today.month)
    expected = sim_recordings.days_with_recordings(SEED, ptz_camera, 0, today.year, today.month, today)
    assert days == sorted(expected)
    assert all(1 <= d <= 31 for d in days)


def test_it_follows_next_token_through_every_page(client, control, running, ptz_camera):
    day, count = busy_day(running, ptz_camera)
    control.reset_counters()

    recordings = list(client.iter_recordings(ptz_camera, 0, "mainStream", day))

    assert len(recordings) == count
    pages = control.count(RECORDS, 200)
    assert pages == -(-count // 40) >= 3
    assert all(isinstance(r, Recording) for r in recordings)
    assert [r.start_time for r in recordings] == sorted(r.start_time for r in recordings)
    assert len({r.file_name for r in recordings}) == count
    first = recordings[0]
    assert first.channel == 0 and first.stream_type == "mainStream"
    assert first.start_time.date() == day and first.end_time > first.start_time


def test_it_fetches_pages_lazily_as_the_iterator_is_consumed(client, control, running, ptz_camera):
    day, _count = busy_day(running, ptz_camera)
    control.reset_counters()
    iterator = client.iter_recordings(ptz_camera, 0, "subStream", day)
    assert control.count(RECORDS) == 0
    first = next(iterator)
    assert first.stream_type == "subStream"
    assert control.count(RECORDS) == 1


def test_it_narrows_the_day_to_a_time_window_given_as_strings_or_times(client, running, ptz_camera):
    day, _count = busy_day(running, ptz_camera)
    by_string = list(client.iter_recordings(ptz_camera, 0, "mainStream", day, "06:00:00", "12:00:00"))
    by_time = list(client.iter_recordings(ptz_camera, 0, "mainStream", day, dt.time(6), dt.time(12)))
    assert by_string == by_time
    assert by_string
    assert all(r.end_time >= dt.datetime.combine(day, dt.time(6)) for r in by_string)
    assert all(r.start_time <= dt.datetime.combine(day, dt.time(12)) for r in by_string)


def test_it_opens_a_playback_session_for_a_recording(client, control, running, ptz_camera):
    day, _count = busy_day(running, ptz_camera, minimum=3)
    recording = next(client.iter_recordings(ptz_camera, 0, "mainStream", day))
    session = client.create_playback_session(ptz_camera, 0, recording.file_name)
    assert isinstance(session, StreamSession)
    assert session.play_url.startswith("rtsp://")
    assert running.sim.check_play_url(session.play_url) is not None
    assert session.expires_in == 30
    # Whoever holds the URL can watch: it must not show in a repr (and so in logs).
    assert session.play_url not in repr(session)


def test_it_raises_file_not_found_for_a_recording_the_device_does_not_have(client, ptz_camera):
    with pytest.raises(errors.FileNotFound) as caught:
        client.create_playback_session(ptz_camera, 0, "/mnt/sda/Mp4Record/2001-01-01/nothing.mp4")
    assert (caught.value.symbol, caught.value.http_status) == ("file_not_found", 404)


def test_it_cannot_list_recordings_on_a_camera_without_sd_card(client, control):
    no_sd = control.add_device("Argus 2")
    with pytest.raises(errors.CommandNotSupported):
        client.get_recording_days(no_sd, 0, 2024, 1)


def test_it_raises_device_channel_not_found_for_a_channel_the_device_lacks(client, ptz_camera):
    with pytest.raises(errors.DeviceChannelNotFound) as caught:
        client.get_recording_days(ptz_camera, 5, 2024, 1)
    assert (caught.value.symbol, caught.value.http_status) == ("device_channel_not_found", 404)


def test_it_lists_an_nvrs_recordings_per_channel(client, control, running):
    nvr = control.add_device("NVR RLN8-410", sdCard=True)
    today = sim_today(running)
    days = client.get_recording_days(nvr, 7, today.year, today.month)
    assert days == sorted(sim_recordings.days_with_recordings(SEED, nvr, 7, today.year, today.month, today))
