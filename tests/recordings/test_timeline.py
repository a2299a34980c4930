"""The day's timelines: text that keeps its shape at any width, a range asked for zoomed
to the full width beside the whole day, and a range still going on read again."""

import datetime as dt

from django.utils import timezone

from recordings.timeline import length, timeline
from rop.models import Recording
from tests.devices.device_page_tools import htmx, url
from tests.devices.simtools import control

from .tools import clips, day_with, recording_device

DAY = dt.date(2026, 3, 3)


def clip(start: str, end: str) -> Recording:
    at = dt.datetime.combine
    return Recording(
        0, "f.mp4", "mainStream", at(DAY, dt.time.fromisoformat(start)), at(DAY, dt.time.fromisoformat(end))
    )


def test_it_zooms_an_alarms_three_minutes_so_a_twenty_second_clip_is_a_tenth_of_the_line() -> None:
    line = timeline(
        DAY, [clip("12:00:55", "12:01:15"), clip("03:00:00", "03:10:00")], dt.time(11, 59, 55), dt.time(12, 2, 55)
    )
    assert line.zoom is not None
    [bar] = line.zoom.bars  # the clip of the night is outside the range
    assert (bar.x, bar.width) == (33.333, 11.111)
    assert [t.label for t in line.zoom.ticks] == [
        "12:00:00",
        "12:00:30",
        "12:01:00",
        "12:01:30",
        "12:02:00",
        "12:02:30",
    ]
    assert [t.label for t in line.zoom.ticks if not t.minor] == ["12:00:00", "12:01:00", "12:02:00"]  # on a phone
    # On the day line, the same clip is a sliver beside the other, and the range is marked.
    assert [round(b.width, 2) for b in line.day.bars] == [0.02, 0.69]
    assert line.window == (49.994, 0.208)


def test_it_keeps_the_whole_day_unzoomed_and_anchors_the_edge_labels() -> None:
    line = timeline(DAY, [clip("12:00:00", "12:10:00")], dt.time(0), dt.time(23, 59, 59))
    assert line.zoom is None and line.window is None
    ticks = line.day.ticks
    assert [t.label for t in ticks] == [f"{h:02d}:00" for h in range(0, 25, 3)]
    assert (ticks[0].anchor, ticks[4].anchor, ticks[-1].anchor) == ("start", "middle", "end")
    assert [t.label for t in ticks if not t.minor] == ["00:00", "06:00", "12:00", "18:00", "24:00"]


def test_it_says_a_clips_length_in_seconds_and_minutes() -> None:
    start = dt.datetime(2026, 3, 3, 12)
    assert [length(start, start + dt.timedelta(seconds=s)) for s in (24, 60, 185, 3720)] == [
        "24 s",
        "1 min",
        "3 min 5 s",
        "1 h 2 min",
    ]


def test_it_draws_the_timelines_without_stretching_their_text(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=3)
    first = clips(sim, device.uid, day)[0]
    query = {"day": day.isoformat(), "start": f"{first.start:%H:%M:%S}", "end": f"{first.end:%H:%M:%S}"}
    html = htmx(client_of(victor)).get(url("device_recordings", device, **query)).content.decode()
    assert "preserveAspectRatio" not in html and "viewBox" not in html
    assert 'class="timeline timeline-zoom"' in html and 'class="timeline-window"' in html
    assert 'data-refresh="0"' in html  # a range long over is read once


def test_it_reads_the_day_again_while_the_range_asked_for_is_going_on(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    now = timezone.now().astimezone(dt.UTC)
    start = now - dt.timedelta(minutes=1)
    query = {"channel": 0, "start": start.isoformat(), "end": (now + dt.timedelta(minutes=2)).isoformat()}
    client = htmx(client_of(victor))
    html = client.get(url("device_recordings", device, **query)).content.decode()
    assert 'data-refresh="1"' in html and 'hx-trigger="every 5s"' in html and "data-pending" in html
    control(sim, "DELETE", "/counters")
    again = client.get(url("device_recordings", device, **{**query, "part": "day"})).content.decode()
    assert again.lstrip().startswith('<div id="recordings-day-clips"') and "calendar" not in again
    counted = control(sim, "GET", "/counters")
    assert not any("calendar" in route for route in counted), counted  # the calendar is not read again
