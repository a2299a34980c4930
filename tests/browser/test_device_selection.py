"""Choosing devices on the list, at 1,400 px and on a 390 px phone: the bulk bar appears on
the first tick, stays on screen, counts ("3 selected · select all 120 matching · clear");
every filter has a visible label; the filters that are on show as removable chips."""

import re

import pytest
from playwright.sync_api import expect

from devices.filters import DeviceFilterForm

from .test_device_list_layout import DESKTOP, PHONE, opened, partly_named_fleet, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def fleet(acme):
    return partly_named_fleet(acme)


def on_screen(page, locator, viewport) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, box


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400", "390"])
def test_it_shows_a_counting_bar_on_screen_from_the_first_tick(browser, live_server, fleet, alice, viewport):
    context, page = opened(browser, live_server, viewport, alice)
    try:
        bar = page.locator("#bulk-bar")
        expect(bar).to_be_hidden()  # nothing ticked, nothing to act on
        boxes = page.locator("#device-rows input[name=device]")
        boxes.nth(20).scroll_into_view_if_needed()
        boxes.nth(20).check()
        on_screen(page, bar, viewport)
        expect(page.locator("#bulk-count")).to_have_text("1 selected")
        boxes.nth(21).check()
        boxes.nth(22).check()
        expect(page.locator("#bulk-count")).to_have_text("3 selected")
        expect(bar).to_contain_text("select all 120 matching")
        on_screen(page, bar, viewport)
        on_screen(page, page.get_by_role("button", name="Disable alarm notifications"), viewport)
        shot(page, f"device_list_selected_{viewport['width']}", full_page=False)  # the screen as seen
        page.mouse.wheel(0, 2500)  # further down the table, the bar stays at the foot of the screen
        page.wait_for_timeout(200)
        on_screen(page, bar, viewport)
        page.get_by_label("select all 120 matching").check()
        expect(page.locator("#bulk-count")).to_have_text("All 120 matching selected")
        page.get_by_role("button", name="clear", exact=True).click()
        expect(bar).to_be_hidden()
        expect(page.locator("#device-rows input[name=device]:checked")).to_have_count(0)
        assert page.csp_violations == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400", "390"])
def test_it_labels_every_filter_and_shows_the_ones_on_as_removable_chips(browser, live_server, fleet, alice, viewport):
    context, page = opened(browser, live_server, viewport, alice)
    try:
        page.goto("/p/acme/devices/?online=no&family=battery")
        filters = page.locator("#device-filters")
        expect(filters.locator("details.more-filters")).to_have_attribute("open", "")  # a rare one is on
        for field in DeviceFilterForm().filter_fields():
            expect(filters.locator(f'label[for="{field.id_for_label}"]')).to_be_visible()
        chips = page.locator("#filter-chips .chip")
        expect(chips).to_have_count(2)
        expect(chips.nth(0)).to_contain_text("Status: Offline")
        expect(chips.nth(1)).to_contain_text("Family: Battery")
        shot(page, f"device_list_chips_{viewport['width']}")
        summary = page.locator("#device-summary")
        expect(summary).to_contain_text("matching")
        before = summary.inner_text()
        page.get_by_role("link", name="Remove the filter Status: Offline").click()
        expect(page).not_to_have_url(re.compile("online="))
        expect(page).to_have_url(re.compile("family=battery"))
        expect(chips).to_have_count(1)
        expect(filters.get_by_label("Status", exact=True)).to_have_value("")
        expect(summary).not_to_have_text(before)
        expect(chips.first).to_contain_text("Family: Battery")
        expect(page.locator("#device-rows tr.device-row").first).to_be_visible()
        assert page.csp_violations == []
    finally:
        context.close()
