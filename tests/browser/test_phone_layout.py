"""Every console page at a phone's size (390 x 844 CSS pixels) in Chromium: no page
scrolls sideways (wide tables scroll inside themselves), the navigation collapses
behind a menu button, and the main controls can be reached and used."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from devices.models import BulkAction, ItemResult
from firmware.models import RolloutResult
from jobs.models import ItemState, Job, JobItem, JobState
from tests.devices.device_page_tools import page_device
from tests.devices.fleet_rows import rows_from_sim
from tests.firmware.rollouts import library_image, start

from .pages import sized_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Set to a directory to keep a full-page screenshot of every page visited (for a person to look at).
SCREENSHOTS = os.environ.get("PHONE_SCREENSHOTS", "")

# Elements sticking out to the right of the viewport, for a failure message that says where.
WIDE_ELEMENTS = """(limit) => [...document.querySelectorAll("body *")]
  .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > limit + 0.5)
  .filter((el) => !el.closest(".table-scroll"))
  .slice(0, 8)
  .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} ${el.getBoundingClientRect().right}`)"""


@pytest.fixture
def phone(browser, live_server):
    with sized_page(browser, live_server.url, PHONE["width"], PHONE["height"]) as page:
        yield page


def fits(page, name: str) -> None:
    """The document is no wider than the screen: nothing scrolls sideways."""
    page.wait_for_load_state("load")
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True, caret="initial")
    width = page.evaluate("document.documentElement.scrollWidth")
    # A phone browser widens its layout viewport (zooming out) to a page wider than the screen.
    viewport = page.evaluate("window.innerWidth")
    wide = page.evaluate(WIDE_ELEMENTS, PHONE["width"])
    assert width <= PHONE["width"] and viewport == PHONE["width"], f"{name}: {width}px wide ({viewport}): {wide}"


def on_screen(locator) -> None:
    """Visible and horizontally within the screen (not cut off, not scrolled away)."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box


def open_menu(page) -> None:
    """The sections hide behind the menu button on a phone; it opens them."""
    sections = page.get_by_role("navigation", name="Sections")
    expect(sections.get_by_role("link", name="Devices", exact=True)).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    on_screen(sections.get_by_role("link", name="Devices", exact=True))


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    fits(page, "login")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse 42")
    on_screen(page.get_by_role("button", name="Log in"))
    page.get_by_role("button", name="Log in").click()


def test_it_fits_every_page_on_a_phone_with_working_controls(phone, live_server, sim, acme_on_sim, alice):
    page = phone
    # Powered (the snapshot loads by itself), pan-tilt-zoom and WiFi: every card of the page.
    device = page_device(sim, acme_on_sim, battery=False, ptz_rotate=True, wifi=True)
    device.delete()
    rows_from_sim(sim, acme_on_sim)
    acme_on_sim.devices.filter(uid=device.uid).delete()
    device = page_device(sim, acme_on_sim, uid=device.uid)
    log_in(page, alice)

    # Overview, then the list through the collapsed navigation.
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    fits(page, "overview")
    open_menu(page)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Devices", exact=True).click()

    # The device list: filters stack, one card per device with its key facts.
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    fits(page, "device_list")
    on_screen(page.get_by_label("Search"))
    on_screen(page.get_by_role("button", name="Filter"))
    first_row = page.locator("#device-rows tr").first
    on_screen(first_row.get_by_role("link"))
    on_screen(first_row.locator(".badge").first)  # online / offline
    on_screen(first_row.locator('td[data-label="Battery"]'))
    on_screen(first_row.locator('td[data-label="Firmware"]'))
    page.get_by_label("Model").fill(device.model)
    expect(page).to_have_url(re.compile(r"model="))
    fits(page, "device_list_filtered")

    # The device page: alarm toggle, snapshot, live address and PTZ pad all reachable.
    page.goto(reverse("device_detail", kwargs={"slug": "acme", "uid": device.uid}))
    image = page.locator("#snapshot img[data-snapshot]")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    fits(page, "device_page")
    on_screen(image)
    switch = page.locator("#alarm-switch")
    on_screen(switch)
    was_on = switch.is_checked()
    switch.click()
    expect(page.locator("#alarm-control [role=status]")).to_contain_text("Alarm notifications")
    expect(page.locator("#alarm-switch")).to_be_checked(checked=not was_on)
    on_screen(page.get_by_role("button", name="Refresh"))
    page.get_by_role("button", name="Get live address").scroll_into_view_if_needed()
    on_screen(page.get_by_role("button", name="Get live address"))
    page.get_by_role("button", name="Get live address").click()
    on_screen(page.locator("#live-url"))
    assert page.locator("#live-url").input_value().startswith("rtsp://")
    for name in ("Rotate up", "Rotate left", "Stop rotating", "Rotate right", "Rotate down"):
        on_screen(page.get_by_role("button", name=name, exact=True))
    page.get_by_role("button", name="Rotate right", exact=True).click()
    expect(page.locator("#ptz-result [role=status]")).to_be_visible()
    page.get_by_role("button", name="Stop rotating").click()
    on_screen(page.get_by_role("button", name="Zoom +"))
    fits(page, "device_page_used")

    # A finished bulk job with its results, and the jobs list.
    job = Job.objects.create(
        partner=acme_on_sim,
        user=alice,
        kind="bulk",
        action=BulkAction.ALARM_OFF,
        state=JobState.DONE,
        total=2,
        finished_at=timezone.now(),
    )
    other = acme_on_sim.devices.exclude(id=device.id).first()
    assert other is not None
    JobItem.objects.create(
        job=job,
        target_id=device.id,
        state=ItemState.DONE,
        result=ItemResult.OK,
        message="Alarm notifications disabled.",
    )
    JobItem.objects.create(
        job=job, target_id=other.id, state=ItemState.DONE, result=ItemResult.OFFLINE, message="The device is offline."
    )
    page.goto(reverse("job_list", kwargs={"slug": "acme"}))
    fits(page, "job_list")
    page.goto(reverse("job_detail", kwargs={"slug": "acme", "job_id": job.id}))
    expect(page.locator("#job-progress")).to_contain_text("Done")
    fits(page, "job_detail")
    on_screen(page.locator("#job-items tbody tr").first.get_by_role("link"))

    # Onboarding, with a session's long values on screen.
    page.goto(reverse("device_onboard", kwargs={"slug": "acme"}))
    fits(page, "onboard")
    page.get_by_label("Device UID").fill("952700000A5S348E")
    page.get_by_role("button", name="Create initialization session").click()
    expect(page.locator("#setup-json")).to_be_visible()
    fits(page, "onboard_session")

    # The rollouts: the list, a rollout's page part-way (a device upgraded, one failed with a
    # long reason; the rest wait for a start time, so nothing is sent) and the new-rollout form
    # as an image's "Roll out this image" opens it, with its preview.
    image = library_image(acme_on_sim)
    rollout = start(acme_on_sim, alice, image, canary=1, wave_size=5, starts_at=timezone.now() + timedelta(days=1))
    first, second = JobItem.objects.filter(job_id=rollout.job_id).order_by("id")[:2]
    JobItem.objects.filter(id=first.id).update(
        state=ItemState.DONE, result=RolloutResult.SUCCEEDED, message="Upgraded."
    )
    JobItem.objects.filter(id=second.id).update(
        state=ItemState.DONE,
        result=RolloutResult.FAILED,
        message="The device rejected the image (file_check_failed): is it for this model?",
    )
    page.goto(reverse("rollout_list", kwargs={"slug": "acme"}))
    expect(page.get_by_role("heading", name="Rollouts")).to_be_visible()
    fits(page, "rollouts")
    on_screen(page.get_by_role("link", name="Spring"))
    page.get_by_role("link", name="Spring").click()
    expect(page.locator("#rollout-bar")).to_be_visible()
    fits(page, "rollout")
    on_screen(page.locator("#rollout-bar"))
    on_screen(page.get_by_role("button", name="Pause"))
    on_screen(page.locator("#rollout-devices tbody tr").first.get_by_role("link"))
    page.goto(reverse("rollout_new", kwargs={"slug": "acme"}) + f"?image={image.id}")
    expect(page.get_by_role("heading", name="New rollout")).to_be_visible()
    expect(page.locator("#rollout-preview")).to_contain_text("will be upgraded")
    fits(page, "rollout_new")
    for legend in ("Waves", "Pace", "Failure rules", "Schedule", "Factory reset"):
        on_screen(page.get_by_role("group", name=legend, exact=True))
    on_screen(page.get_by_label("Canary devices"))
    page.get_by_role("button", name="Start rollout").scroll_into_view_if_needed()
    on_screen(page.get_by_role("button", name="Start rollout"))

    # The admin pages and the audit log the actions above wrote to.
    for name, url_name, heading in (
        ("settings", "partner_settings", "Partner settings"),
        ("members", "members", "Members"),
        ("firmware", "firmware_list", "Firmware library"),
        ("audit", "audit", "Audit log"),
    ):
        page.goto(reverse(url_name, kwargs={"slug": "acme"}))
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        fits(page, name)
    on_screen(page.get_by_role("button", name="Filter"))

    page.goto(reverse("switch_partner"))
    fits(page, "switch")
    on_screen(page.get_by_role("button", name="Open"))
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()

    # The menu also holds logging out.
    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.csp_violations == []


def test_it_shows_the_sections_in_the_bar_on_a_wide_screen(page, logged_in, alice, acme_camera):
    """The same menu, open and without its button, from 768 pixels wide."""
    page.set_viewport_size({"width": 1280, "height": 800})
    logged_in(alice)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    sections = page.get_by_role("navigation", name="Sections")
    for name in ("Overview", "Devices", "Audit", "Members", "Settings"):
        expect(sections.get_by_role("link", name=name, exact=True)).to_be_visible()
    header = page.locator("header").bounding_box()
    assert header is not None and header["height"] < 120  # one bar, not a dropped-down list
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.csp_violations == []


def test_it_shows_a_viewer_a_multi_channel_device_on_a_phone(phone, live_server, sim, acme_on_sim, victor):
    """Channel choices widen the snapshot and live forms; read-only cards replace the controls."""
    page = phone
    device = page_device(sim, acme_on_sim, channels=8)  # the NVR
    log_in(page, victor)
    page.goto(reverse("device_detail", kwargs={"slug": "acme", "uid": device.uid}))
    expect(page.locator("#snapshot img[data-snapshot]")).to_be_visible()
    fits(page, "device_page_viewer")
    on_screen(page.locator("#snapshot").get_by_label("Channel"))
    live = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Live view"))
    live.get_by_label("Channel").select_option("2")
    live.get_by_role("button", name="Get live address").click()
    expect(page.locator("#live-result")).to_contain_text("channel 2")
    on_screen(page.locator("#live-url"))
    fits(page, "device_page_viewer_live")
    expect(page.locator("#alarm-switch")).to_have_count(0)  # a viewer reads the state only
    assert page.csp_violations == []


def test_it_opens_the_phone_menu_without_javascript(browser, live_server, alice, acme_camera):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, alice)
        expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
        open_menu(page)
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Devices", exact=True).click()
        expect(page.get_by_role("heading", name="Devices")).to_be_visible()
        fits(page, "device_list_no_js")
    finally:
        context.close()
