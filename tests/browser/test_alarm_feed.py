"""The alarm feed in Chromium: an alarm ropsim raises reaches the feed through the real
webhook and appears on the open page by itself, without a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from alarms.models import AlarmEvent
from alarms.views.feed import POLL_SECONDS
from tests.devices.device_page_tools import page_device
from tests.devices.simtools import control, wait_for

pytestmark = pytest.mark.browser


def test_it_shows_a_new_alarm_from_ropsim_without_reloading(page, logged_in, live_server, sim, acme_on_sim, victor):
    device = page_device(sim, acme_on_sim, battery=False, channels=1)
    sim.sim.fleet.devices[device.uid].alarm_enabled = True
    hook = reverse("alarm_webhook", kwargs={"slug": acme_on_sim.slug})
    webhook = {"callback_url": f"{live_server.url}{hook}", "authcode": acme_on_sim.webhook_secret}
    control(sim, "PUT", "/faults", json=webhook)  # the Core Server's ROP_ALARM_WEBHOOK

    logged_in(victor)
    page.goto(reverse("alarm_feed", kwargs={"slug": acme_on_sim.slug}))
    expect(page.locator(".alarm-empty")).to_have_text("No alarms match yet.")
    page.evaluate("window.feedNotReloaded = true")

    control(sim, "POST", f"/devices/{device.uid}/alarm", json={"aiTypes": ["people"]})
    wait_for(lambda: AlarmEvent.objects.filter(device=device).exists(), what="the webhook to store the alarm")

    row = page.locator("#alarm-rows tr[data-alarm-id].alarm-new")
    expect(row).to_have_count(1, timeout=3 * POLL_SECONDS * 1000)  # the page polls every POLL_SECONDS
    expect(row).to_contain_text(device.display_name or device.uid)
    expect(row).to_contain_text("Motion")
    expect(row).to_contain_text("people")
    expect(row.get_by_role("link", name="Recordings")).to_be_visible()
    expect(row.get_by_role("link", name="Snapshot now")).to_be_visible()
    expect(page.locator(".alarm-empty")).to_be_hidden()
    assert page.evaluate("window.feedNotReloaded") is True

    # The device page lists it too, once its alarms section is scrolled to.
    row.get_by_role("link", name=device.display_name or device.uid).click()
    page.locator("#alarms").scroll_into_view_if_needed()
    expect(page.locator("#device-alarms-list li")).to_have_count(1)
    expect(page.locator("#device-alarms-list li")).to_contain_text("people")
    assert page.csp_violations == []


def test_it_fits_the_feed_and_the_alarm_settings_on_a_phone(page, logged_in, alice, acme, acme_camera):
    for channel in range(3):
        AlarmEvent.objects.create(
            partner=acme,
            device=acme_camera,
            device_uid=acme_camera.uid,
            channel=channel,
            status="MD",
            count=4,
            ai_types=["people", "vehicle", "dog_cat"],
        )
    page.set_viewport_size({"width": 390, "height": 844})
    logged_in(alice)
    for url_name, heading in (("alarm_feed", "Alarms"), ("alarm_settings", "Alarm settings")):
        page.goto(reverse(url_name, kwargs={"slug": acme.slug}))
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        # The page itself never scrolls sideways (the table scrolls inside its box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url_name
    assert page.csp_violations == []
