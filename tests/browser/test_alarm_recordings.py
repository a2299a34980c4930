"""The path the alarm feed exists for, in Chromium on the demo's set-up (ropsim from
Procfile.dev's command line, its random alarms and demo states, posting to the console's
webhook): an alarm in the feed, its "Recordings" link, the clip the camera recorded around
it appearing once the camera has finished it, and playing it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from alarms.models import AlarmEvent
from alarms.views.feed import POLL_SECONDS
from devices.models import Device
from devices.sync import sync_partner
from recordings.views.device import REFRESH_SECONDS
from ropsim.cli import config_from_args
from ropsim.states import DemoOutages
from ropsim.testing import start_in_thread
from tests.console.test_demo_fleet import DEMO_ARGS, TOKEN
from tests.devices.simtools import control, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(acme, live_server):
    """ropsim as `make run` starts it, posting its alarms to the console as the demo's does."""
    hook = reverse("alarm_webhook", kwargs={"slug": acme.slug})
    args = ["--port", "0", "--lan-port-base", "0", "--callback-url", f"{live_server.url}{hook}"]
    config = config_from_args([*DEMO_ARGS, *args, "--authcode", acme.webhook_secret])
    with start_in_thread(config) as running:
        acme.rop_base_url = running.base_url
        acme.gateway_token = TOKEN
        acme.request_budget = 2000
        acme.save()
        sync_partner(acme)
        yield running


def steady_camera(demo, partner) -> Device:
    """A powered one-channel camera with an SD card that no demo outage will take offline
    while the test runs (the demo's come-and-go devices have a cycle on the timer heap)."""
    cycling = {
        fn.__self__.uid
        for _, _, fn in demo.sim.scheduler._heap
        if isinstance(getattr(fn, "__self__", None), DemoOutages)
    }
    for device in Device.objects.filter(partner=partner, online=True).order_by("uid"):
        dev = demo.sim.fleet.devices[device.uid]
        powered = not dev.model.battery and dev.model.channels == 1 and dev.latency_ms is None
        if powered and dev.has_recordings and device.uid not in cycling:
            return device
    raise AssertionError("no steady camera in the demo fleet")


def test_it_plays_the_clip_of_an_alarm_opened_from_the_feed(page, logged_in, demo, acme, victor):
    camera = steady_camera(demo, acme)
    demo.sim.fleet.devices[camera.uid].alarm_enabled = True
    logged_in(victor)
    page.goto(reverse("alarm_feed", kwargs={"slug": acme.slug}))

    control(demo, "POST", f"/devices/{camera.uid}/alarm", json={"aiTypes": ["people"]})
    wait_for(lambda: AlarmEvent.objects.filter(device=camera).exists(), what="the webhook to store the alarm")
    event = AlarmEvent.objects.filter(device=camera).earliest("id")  # random demo alarms may follow
    row = page.locator(f'#alarm-rows tr[data-alarm-id="{event.id}"]')
    expect(row).to_be_visible(timeout=3 * POLL_SECONDS * 1000)
    row.get_by_role("link", name="Recordings").click()

    section = page.locator("#recordings-section")
    expect(section.locator(".timeline-zoom")).to_be_visible()
    # The camera is still recording the alarm's clip: the list says so and reads the day again.
    expect(section.locator("[data-pending]")).to_be_visible()
    control(demo, "POST", "/clock/advance", json={"seconds": 30})  # the clip is finished
    clip = section.locator("tr[data-recording]")
    expect(clip).to_have_count(1, timeout=3 * REFRESH_SECONDS * 1000)
    expect(section.locator(".timeline-zoom .timeline-clip")).to_have_count(1)
    clip.get_by_role("link", name="Play").click()
    expect(page.locator("#playback-url")).to_have_value(re.compile(r"^rtsp://"))
    expect(page.locator("#playback-result [data-expires-in]")).to_have_text(re.compile(r"^\d+ s$"))
    # The list keeps reading the day while the range lasts; the address stays where it is.
    page.wait_for_timeout((REFRESH_SECONDS + 1) * 1000)
    expect(page.locator("#playback-url")).to_have_value(re.compile(r"^rtsp://"))
    assert page.csp_violations == []
