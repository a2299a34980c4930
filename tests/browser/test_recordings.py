"""Recordings in Chromium: a fleet search of one day on a real worker, a playback
address from its results, then the alarm feed showing a new alarm from ropsim and its
count going up, without reloading."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from alarms.models import AlarmEvent
from alarms.views.feed import POLL_SECONDS
from tests.browser import test_phone_layout as layout
from tests.devices.simtools import control, wait_for
from tests.recordings.tools import clips, day_with, recording_device

pytestmark = pytest.mark.browser
phone = layout.phone  # the phone-sized page (a fixture)


def test_it_searches_a_day_plays_a_recording_and_sees_an_alarm_arrive_and_count_up_without_reloading(
    page, logged_in, live_server, sim, acme_on_sim, olga, celery_worker
):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=3)
    logged_in(olga)

    page.goto(reverse("recording_searches", kwargs={"slug": "acme"}) + f"?device={device.uid}")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results[data-live='0']")).to_have_count(1, timeout=30_000)
    expect(page.locator("tr[data-hit]")).to_have_count(len(clips(sim, device.uid, day)))
    page.locator("tr[data-hit]").first.get_by_role("link", name="Play").click()
    expect(page.locator("#playback-url")).to_have_value(re.compile(r"^rtsp://"))
    expect(page.locator("#playback-result [data-expires-in]")).to_have_text(re.compile(r"^\d+ s$"))
    expect(page.get_by_role("button", name="Copy")).to_be_visible()

    sim.sim.fleet.devices[device.uid].alarm_enabled = True
    hook = reverse("alarm_webhook", kwargs={"slug": "acme"})
    control(
        sim, "PUT", "/faults", json={"callback_url": f"{live_server.url}{hook}", "authcode": acme_on_sim.webhook_secret}
    )
    page.goto(reverse("alarm_feed", kwargs={"slug": "acme"}))
    page.evaluate("window.feedNotReloaded = true")

    control(sim, "POST", f"/devices/{device.uid}/alarm", json={"aiTypes": ["people"]})
    row = page.locator("#alarm-rows tr[data-alarm-id]")
    expect(row).to_have_count(1, timeout=3 * POLL_SECONDS * 1000)
    expect(row).to_have_attribute("data-count", "1")

    control(sim, "POST", f"/devices/{device.uid}/alarm", json={"aiTypes": ["people"]})
    wait_for(lambda: AlarmEvent.objects.filter(device=device, count=2).exists(), what="the duplicate to fold")
    expect(row).to_have_attribute("data-count", "2", timeout=3 * POLL_SECONDS * 1000)
    expect(row).to_contain_text("×2")
    expect(row).to_have_count(1)
    assert page.evaluate("window.feedNotReloaded") is True
    assert page.csp_violations == []


def test_it_opens_the_recordings_around_an_alarm_from_the_feed(page, logged_in, sim, acme_on_sim, victor):
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=3)
    clip = clips(sim, device.uid, day)[1]
    at = clip.start.replace(tzinfo=dt.UTC) + dt.timedelta(seconds=5)
    AlarmEvent.objects.create(
        partner=acme_on_sim, device=device, device_uid=device.uid, status="MD", received_at=at, last_seen_at=at
    )
    logged_in(victor)
    page.goto(reverse("alarm_feed", kwargs={"slug": "acme"}))
    page.locator("#alarm-rows").get_by_role("link", name="Recordings").click()
    section = page.locator("#recordings-section")
    expect(section.locator(f'tr[data-recording="{clip.file_name}"]')).to_be_visible()
    expect(section.locator(".timeline svg .timeline-clip").first).to_be_attached()
    expect(section.get_by_role("heading", name=re.compile(day.strftime("%-d %B %Y")))).to_be_visible()
    section.locator(f'tr[data-recording="{clip.file_name}"]').get_by_role("link", name="Play").click()
    expect(page.locator("#playback-url")).to_have_value(re.compile(r"^rtsp://"))
    assert page.csp_violations == []


def test_it_fits_the_recordings_section_and_the_search_form_on_a_phone(phone, sim, acme_on_sim, olga):
    page = phone
    device = recording_device(sim, acme_on_sim)
    day = day_with(sim, device.uid, at_least=20)
    layout.log_in(page, olga)
    page.goto(reverse("device_recordings", kwargs={"slug": "acme", "uid": device.uid}) + f"?day={day.isoformat()}")
    expect(page.locator("tr[data-recording]").first).to_be_visible()
    layout.fits(page, "device_recordings")
    layout.on_screen(page.get_by_role("button", name="Show"))
    page.goto(reverse("recording_searches", kwargs={"slug": "acme"}))
    layout.fits(page, "recording_search")
    layout.on_screen(page.get_by_role("button", name="Search"))
    assert page.csp_violations == []
