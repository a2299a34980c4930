"""The overview's "needs attention" at 1,400 px and on a 390 px phone: each problem on
screen as a link to its filtered list, and the page no wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.test_attention import troubled_fleet

from .test_device_list_layout import DESKTOP, PHONE, opened, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400", "390"])
def test_it_shows_what_needs_attention_with_links_to_the_lists(browser, live_server, acme, alice, viewport):
    troubled_fleet(acme, alice)
    context, page = opened(browser, live_server, viewport, alice)
    try:
        page.goto("/p/acme/")
        panel = page.get_by_role("region", name="Needs attention")
        expect(panel.get_by_role("link")).to_have_count(6)
        shot(page, f"overview_attention_{viewport['width']}", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        for link in panel.get_by_role("link").all():
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5
        panel.get_by_role("link", name=re.compile("devices offline")).click()
        expect(page).to_have_url(re.compile(r"/p/acme/devices/\?online=no"))
        expect(page.locator("#filter-chips")).to_contain_text("Status: Offline")
        assert page.csp_violations == []
    finally:
        context.close()
