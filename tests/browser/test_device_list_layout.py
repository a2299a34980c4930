"""The device list as a fleet manager sees it, at 1,400 px and on a 390 px phone: the
columns scanned first on screen without sideways scrolling, one card per device on a
phone, and the first device within the phone's first screen."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from devices.models import Device
from tests.devices.fleet_rows import made_up_fleet

from .pages import log_in, open_page

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
# Set to a directory to keep full-page screenshots (for a person to look at).
SCREENSHOTS = os.environ.get("DEVICE_LIST_SCREENSHOTS", "")
KEY_COLUMNS = ("Name", "Status", "Battery", "Alarms", "Last seen", "Model", "Firmware")


@pytest.fixture
def fleet(acme):
    return partly_named_fleet(acme)


def partly_named_fleet(acme) -> list[Device]:
    devices = made_up_fleet(acme, 120, tag_every=5)
    # A fresh fleet's first read: some devices have no name yet.
    Device.objects.filter(id__in=[d.id for d in devices[::4]]).update(display_name="")
    return devices


def opened(browser, live_server, viewport, user):
    """(context, page) on the device list, logged in; a viewport under 768 px is a phone's."""
    context, page = open_page(browser, live_server.url, viewport["width"], viewport["height"])
    log_in(page, user)
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    page.goto("/p/acme/devices/")
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    return context, page


def shot(page, name: str, *, full_page: bool = True) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        # caret="initial": Playwright hides the caret with a style of its own, which our CSP refuses.
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=full_page, caret="initial")


def no_wider_than(page, width: int) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("window.innerWidth") == width


def within(locator, width: int) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box


def test_it_shows_the_key_columns_at_1400_px_without_sideways_scrolling(browser, live_server, fleet, alice):
    context, page = opened(browser, live_server, DESKTOP, alice)
    try:
        shot(page, "device_list_1400")
        no_wider_than(page, DESKTOP["width"])
        table = page.locator("#device-table")
        assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
        heading = page.locator("#device-table thead")
        for name in KEY_COLUMNS:
            within(heading.get_by_role("columnheader", name=name), DESKTOP["width"])
        first = page.locator("#device-rows tr.device-row").first
        within(first.locator("td.key a"), DESKTOP["width"])
        within(first.locator("code.uid"), DESKTOP["width"])  # the UID beneath the name
        for label in KEY_COLUMNS[1:]:
            within(first.locator(f'td[data-label="{label}"]'), DESKTOP["width"])
        # Sorted by name, the devices without one come after the named ones.
        expect(page.locator("#device-rows")).not_to_contain_text("(no name)")
        assert page.csp_violations == []
    finally:
        context.close()


def test_it_shows_one_card_per_device_on_a_phone_soon_after_the_filters(browser, live_server, fleet, alice):
    context, page = opened(browser, live_server, PHONE, alice)
    try:
        shot(page, "device_list_390")
        no_wider_than(page, PHONE["width"])
        cards = page.locator("#device-rows tr.device-row")
        expect(cards).to_have_count(50)
        first = cards.first
        within(first, PHONE["width"])
        for label in KEY_COLUMNS[1:]:
            cell = first.locator(f'td[data-label="{label}"]')
            within(cell, PHONE["width"])
            assert cell.evaluate("el => getComputedStyle(el, '::before').content") == f'"{label}"'
        within(first.locator("code.uid"), PHONE["width"])
        within(first.get_by_role("checkbox"), PHONE["width"])
        # The rare filters are folded away: the first device shows on the first screen.
        expect(page.get_by_label("Transport")).to_be_hidden()
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
        page.get_by_text("More filters").click()
        within(page.get_by_label("Transport"), PHONE["width"])
        assert page.csp_violations == []
    finally:
        context.close()
