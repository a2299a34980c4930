"""The device page in Chromium, against ropsim over real HTTP."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.devices.device_page_tools import page_device
from tests.devices.simtools import wait_for

pytestmark = pytest.mark.browser


def detail(device):
    return reverse("device_detail", kwargs={"slug": device.partner.slug, "uid": device.uid})


def test_it_toggles_the_alarm(page, logged_in, live_server, sim, acme_on_sim, olga):
    device = page_device(sim, acme_on_sim, battery=True)  # battery: nothing else loads by itself
    sim_dev = sim.sim.fleet.devices[device.uid]
    sim_dev.alarm_enabled = True
    device.alarm_enabled = True
    device.save()
    logged_in(olga)
    page.goto(detail(device))
    switch = page.locator("#alarm-switch")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.locator("#alarm-control [role=status]")).to_have_text("Alarm notifications disabled.")
    expect(page.locator("#alarm-switch")).not_to_be_checked()
    expect(page.locator("#alarm-control [data-alarm-state]")).to_have_text("off")
    wait_for(lambda: sim_dev.alarm_enabled is False, what="the simulated camera to disable alarms")
    # And back on.
    page.locator("#alarm-switch").click()
    expect(page.locator("#alarm-control [role=status]")).to_have_text("Alarm notifications enabled.")
    wait_for(lambda: sim_dev.alarm_enabled is True, what="the simulated camera to enable alarms")
    assert page.csp_violations == []


def test_it_shows_a_snapshot_for_a_powered_camera(page, logged_in, live_server, sim, acme_on_sim, victor):
    device = page_device(sim, acme_on_sim, battery=False, channels=1)
    logged_in(victor)
    page.goto(detail(device))
    image = page.locator("#snapshot img[data-snapshot]")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    # Refresh takes another picture and shows it.
    first_src = image.get_attribute("src")
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#snapshot img[data-snapshot]")).not_to_have_attribute("src", first_src)
    assert page.csp_violations == []


def test_it_takes_a_battery_camera_snapshot_on_request_and_explains_offline(
    page, logged_in, live_server, sim, acme_on_sim, victor
):
    device = page_device(sim, acme_on_sim, battery=True)
    logged_in(victor)
    page.goto(detail(device))
    expect(page.locator("#snapshot img")).to_have_count(0)
    sim.call(sim.sim.fleet.set_offline, device.uid, "forced")
    page.get_by_role("button", name="Take a snapshot").click()
    expect(page.locator("#snapshot [role=status]")).to_have_text("The device is offline.")
    expect(page.locator("#snapshot img")).to_have_count(0)


def test_it_counts_down_the_live_address(page, logged_in, live_server, sim, acme_on_sim, victor):
    device = page_device(sim, acme_on_sim, battery=False, channels=1)
    logged_in(victor)
    page.goto(detail(device))
    page.get_by_role("button", name="Get live address").click()
    url_field = page.locator("#live-url")
    expect(url_field).to_be_visible()
    assert url_field.input_value().startswith("rtsp://")
    countdown = page.locator("[data-expires-in]")
    expect(countdown).to_have_text("30 s")
    expect(countdown).to_have_text("29 s", timeout=3000)
    assert page.csp_violations == []


def test_it_explains_a_refused_change_instead_of_swallowing_it(page, logged_in, live_server, sim, acme_on_sim, olga):
    from partners.models import Membership, Role

    device = page_device(sim, acme_on_sim, battery=True)
    logged_in(olga)
    page.goto(detail(device))
    # An admin demotes olga while her page is open: the server answers 403, which
    # htmx does not swap; the page must say so rather than do nothing.
    Membership.objects.filter(user=olga).update(role=Role.VIEWER)
    page.locator("#alarm-switch").click()
    expect(page.locator("[data-htmx-error]")).to_contain_text("not allowed")


def test_it_updates_the_heading_and_the_identity_card_on_rename(page, logged_in, live_server, sim, acme_on_sim, olga):
    device = page_device(sim, acme_on_sim, battery=True)
    logged_in(olga)
    page.goto(detail(device))
    page.evaluate("window.notReloaded = true")
    page.get_by_role("textbox", name="Display name").fill("Back gate 2")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("#rename-control [role=status]")).to_have_text("Renamed to “Back gate 2”.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Back gate 2")
    identity = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Identity"))
    expect(identity.get_by_role("row", name="Name")).to_contain_text("Back gate 2")
    expect(page.locator("#identity-name")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True
    wait_for(lambda: sim.sim.fleet.devices[device.uid].name == "Back gate 2", what="the camera to take the name")
    assert page.csp_violations == []
