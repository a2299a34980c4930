"""The device page's recordings section against ropsim over real HTTP: calendar, a
day of several nextToken pages, playback, and the devices it must not call."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from alarms.models import AlarmEvent
from audit.models import AuditEntry
from devices.models import Device
from ropsim import recordings as simrec
from tests.devices.device_page_tools import htmx, url
from tests.devices.simtools import control

from .tools import battery_device, clips, day_with, found, recording_device, shown_files, sim_now


def test_it_links_the_days_of_the_month_that_have_recordings(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=1)
    expected = simrec.days_with_recordings(sim.config.seed, device.uid, 0, day.year, day.month, sim_now(sim))
    html = htmx(client_of(victor)).get(url("device_recordings", device, day=day.isoformat())).content.decode()
    linked = sorted(int(d[-2:]) for d in re.findall(r'data-recording-day="([\d-]+)"', html))
    assert linked == expected
    assert day.strftime("%B %Y") in html


def test_it_moves_the_calendar_a_month_back_without_changing_the_day(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    today = sim_now(sim).date()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    html = htmx(client_of(victor)).get(url("device_recordings", device, month=previous.strftime("%Y-%m"))).content
    expected = simrec.days_with_recordings(sim.config.seed, device.uid, 0, previous.year, previous.month, sim_now(sim))
    days = re.findall(rb'data-recording-day="([\d-]+)"', html)
    assert [int(d[-2:]) for d in days] == expected
    assert all(d.startswith(previous.strftime("%Y-%m").encode()) for d in days)


def test_it_lists_every_recording_of_a_day_across_next_token_pages(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=81)  # three pages of 40
    expected = [c.file_name for c in clips(sim, device.uid, day)]
    html = htmx(client_of(victor)).get(url("device_recordings", device, day=day.isoformat())).content.decode()
    assert shown_files(html) == expected
    assert f'data-clip-count="{len(expected)}"' in html
    assert html.count('class="timeline-clip"') == len(expected)


def test_it_lists_the_sub_stream_within_a_time_range(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=10)
    start, end = dt.datetime.combine(day, dt.time(6)), dt.datetime.combine(day, dt.time(18))
    expected = [
        c.file_name
        for c in simrec.recordings_between(sim.config.seed, device.uid, 0, "subStream", start, end, sim_now(sim))
    ]
    query = {"day": day.isoformat(), "start": "06:00", "end": "18:00", "stream": "subStream"}
    html = htmx(client_of(victor)).get(url("device_recordings", device, **query)).content.decode()
    assert shown_files(html) == expected
    assert 'class="timeline-window"' in html


def test_it_gives_a_viewer_a_playback_address_with_a_countdown_and_audits_the_file_not_the_address(
    sim, acme_on_sim, client_of, victor
):
    device = recording_device(sim, acme_on_sim)
    clip = clips(sim, device.uid, day_with(sim, device.uid, at_least=1))[0]
    response = htmx(client_of(victor)).get(url("device_playback", device, channel=0, file=clip.file_name))
    html = response.content.decode()
    play_url = found(r'id="playback-url" readonly value="([^"]+)"', html)
    assert play_url.startswith("rtsp://")
    assert re.search(r'data-expires-in="\d+"', html)
    assert response["Cache-Control"] == "no-store, private"
    entry = AuditEntry.objects.get(action="recordings.playback")
    assert entry.params == {"channel": 0, "file_name": clip.file_name}
    assert play_url not in str(entry.params) + entry.message


def test_it_shows_the_countdown_the_core_server_gives_and_the_address_stops_working_after_it(
    sim, acme_on_sim, client_of, victor
):
    device = recording_device(sim, acme_on_sim)
    clip = clips(sim, device.uid, day_with(sim, device.uid, at_least=1))[0]
    html = htmx(client_of(victor)).get(url("device_playback", device, channel=0, file=clip.file_name)).content.decode()
    play_url = found(r'id="playback-url" readonly value="([^"]+)"', html)
    seconds = int(found(r'data-expires-in="(\d+)"', html))
    assert seconds == sim.config.live_url_ttl
    assert sim.sim.check_play_url(play_url) is not None
    sim.call(sim.sim.clock.advance, seconds + 1)
    assert sim.sim.check_play_url(play_url) is None


def test_it_says_a_recording_is_gone_when_the_camera_no_longer_has_it(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    name = "/mnt/sda/Mp4Record/2020-01-01/RecM00_DST20200101_000000_000100_1_1.mp4"
    html = htmx(client_of(victor)).get(url("device_playback", device, channel=0, file=name)).content.decode()
    assert "no longer on the SD card" in html
    assert "playback-url" not in html


def test_it_refuses_a_playback_without_a_file_name(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    response = htmx(client_of(victor)).get(url("device_playback", device, channel="x"))
    assert response.status_code == 400
    assert b"playback-url" not in response.content


def test_it_says_in_words_that_a_device_has_no_sd_card(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    control(sim, "PUT", f"/devices/{device.uid}/sd-card", json={"inserted": False})
    html = htmx(client_of(victor)).get(url("device_recordings", device)).content.decode()
    assert "No SD card: this device keeps no recordings." in html
    assert 'data-problem="no_sd_card"' in html


def test_it_does_not_wake_a_battery_camera_until_asked(sim, acme_on_sim, client_of, victor):
    device = battery_device(sim, acme_on_sim)
    control(sim, "POST", f"/devices/{device.uid}/sleep")
    client = htmx(client_of(victor))
    html = client.get(url("device_recordings", device)).content.decode()
    assert "does not do it by itself" in html
    assert control(sim, "GET", f"/devices/{device.uid}")["sleeping"] is True
    asked = client.get(url("device_recordings", device, ask=1)).content.decode()
    assert control(sim, "GET", f"/devices/{device.uid}")["sleeping"] is False
    assert "data-clip-count" in asked


def test_it_says_an_offline_device_is_offline_without_and_with_asking(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    control(sim, "POST", f"/devices/{device.uid}/offline")
    Device.objects.filter(id=device.id).update(online=False)
    client = htmx(client_of(victor))
    assert (
        "is offline, so its recordings cannot be read now"
        in client.get(url("device_recordings", device)).content.decode()
    )
    html = client.get(url("device_recordings", device, ask=1)).content.decode()
    assert "The device is offline." in html
    assert 'data-problem="offline"' in html


def test_it_refuses_an_end_before_the_start_in_words(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    html = htmx(client_of(victor)).get(url("device_recordings", device, start="10:00", end="09:00")).content.decode()
    assert "The end must be after the start." in html


def test_it_lands_the_feeds_recordings_link_on_the_alarms_channel_day_and_minutes(sim, acme_on_sim, client_of, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=5)
    clip = clips(sim, device.uid, day)[2]
    alarm_at = clip.start.replace(tzinfo=dt.UTC) + dt.timedelta(seconds=5)
    event = AlarmEvent.objects.create(
        partner=acme_on_sim,
        device=device,
        device_uid=device.uid,
        status="MD",
        received_at=alarm_at,
        last_seen_at=alarm_at,
    )
    client = client_of(victor)
    feed = client.get(reverse("alarm_feed", kwargs={"slug": "acme"})).content.decode()
    link = found(r'href="([^"]+#recordings)">Recordings<', feed).replace("&amp;", "&")
    page = client.get(link.split("#")[0]).content.decode()
    section = found(r'id="recordings".*?hx-get="([^"]+)"', page).replace("&amp;", "&")
    assert parse_qs(urlsplit(section).query)["channel"] == ["0"]
    html = htmx(client).get(section).content.decode()
    assert day.strftime("%A %-d %B %Y") in html
    assert f"{event.recording_start:%H:%M:%S}–{event.recording_end:%H:%M:%S}" in html
    assert clip.file_name in shown_files(html)
