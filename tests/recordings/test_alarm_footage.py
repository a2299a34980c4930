"""Cameras record on motion: an alarm ropsim sends through the webhook leaves a clip that
the device's recordings of the alarm's minute and a fleet search of that range both find."""

import datetime as dt

from django.urls import reverse

from alarms.models import AlarmEvent
from tests.devices.device_page_tools import htmx, url
from tests.devices.simtools import control, wait_for

from .test_fleet_search import run_search
from .tools import clips, recording_device, shown_files


def send_alarm(live_server, sim, partner, device) -> AlarmEvent:
    """An alarm raised in ropsim, delivered to the console's webhook; then time enough for the
    camera to finish the clip (a camera lists a clip once it ends)."""
    sim.sim.fleet.devices[device.uid].alarm_enabled = True
    hook = reverse("alarm_webhook", kwargs={"slug": partner.slug})
    control(
        sim, "PUT", "/faults", json={"callback_url": f"{live_server.url}{hook}", "authcode": partner.webhook_secret}
    )
    control(sim, "POST", f"/devices/{device.uid}/alarm", json={"aiTypes": ["people"]})
    wait_for(lambda: AlarmEvent.objects.filter(device=device).exists(), what="the alarm")
    event = AlarmEvent.objects.get(device=device)
    control(sim, "POST", "/clock/advance", json={"seconds": 30})
    return event


def alarm_clip(sim, device, at: dt.datetime):
    """The clip ropsim recorded around `at` (there is exactly one)."""
    [clip] = [c for c in clips(sim, device.uid, at.date()) if c.start <= at.replace(tzinfo=None) <= c.end]
    return clip


def test_it_finds_an_alarms_clip_in_the_devices_recordings_of_its_minute(
    live_server, sim, acme_on_sim, client_of, victor
):
    device = recording_device(sim, acme_on_sim)
    event = send_alarm(live_server, sim, acme_on_sim, device)
    at = event.received_at.astimezone(dt.UTC)
    clip = alarm_clip(sim, device, at)
    minute = at.replace(second=0, microsecond=0)
    query = {"channel": 0, "day": at.date().isoformat(), "start": f"{minute:%H:%M:%S}", "end": f"{minute:%H:%M}:59"}
    html = htmx(client_of(victor)).get(url("device_recordings", device, **query)).content.decode()
    assert clip.file_name in shown_files(html)
    assert f'data-zoom="{minute:%H:%M:%S}–{minute:%H:%M}:59"' in html  # the minute, zoomed
    # The feed's own link (a minute before to two after) opens on the same clip.
    feed_query = {"channel": 0, "start": event.recording_start.isoformat(), "end": event.recording_end.isoformat()}
    html = htmx(client_of(victor)).get(url("device_recordings", device, **feed_query)).content.decode()
    assert clip.file_name in shown_files(html)


def test_it_finds_an_alarms_clip_in_a_fleet_search_of_its_range(
    live_server, sim, acme_on_sim, client_of, olga, celery_worker
):
    device = recording_device(sim, acme_on_sim)
    event = send_alarm(live_server, sim, acme_on_sim, device)
    start, end = event.recording_start.astimezone(dt.UTC), event.recording_end.astimezone(dt.UTC)
    clip = alarm_clip(sim, device, event.received_at.astimezone(dt.UTC))
    last = end.time() if end.date() == start.date() else dt.time(23, 59, 59)
    search = run_search(
        client_of(olga),
        day=start.date().isoformat(),
        start=f"{start:%H:%M:%S}",
        end=f"{last:%H:%M:%S}",
        device=device.uid,
    )
    assert clip.file_name in [h.file_name for h in search.hits.all()]
