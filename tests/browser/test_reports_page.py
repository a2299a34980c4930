"""The reports page in Chromium: the charts draw, and the period links swap them (htmx)
or load the page (no JavaScript)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.dashboard.test_reports import fleet_with_history  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def test_it_draws_the_charts_and_switches_the_period(page, logged_in, victor, fleet_with_history):  # noqa: F811
    logged_in(victor)
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(re.compile(r"/p/acme/reports/$"))
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(5)
    for i in range(5):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 20
    expect(page.locator("#report-charts")).to_contain_text("Last 7 days")
    expect(page.locator("#battery-svg-title")).to_have_count(1)
    page.evaluate("window.notReloaded = true")

    page.get_by_role("link", name="30 days").click()
    expect(page).to_have_url(re.compile(r"\?days=30$"))
    expect(page.locator("#report-charts")).to_contain_text("Last 30 days")
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "page")
    page.get_by_text("Online share as a table").click()
    old_poll_day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).strftime("%Y-%m-%d")
    online_table = page.locator("details", has_text="Online share as a table")
    expect(online_table.get_by_role("cell", name=old_poll_day, exact=True)).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the charts in place
    assert page.csp_violations == []


def test_it_works_without_javascript(browser, live_server, client, victor, fleet_with_history):  # noqa: F811
    client.force_login(victor)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(reverse("reports", kwargs={"slug": "acme"}))
    expect(page.locator("svg[role=img]")).to_have_count(5)
    page.get_by_role("link", name="90 days").click()
    expect(page).to_have_url(re.compile(r"\?days=90$"))
    expect(page.locator("#report-charts")).to_contain_text("Last 90 days")
    context.close()


def test_it_fits_a_phone(browser, live_server, client, victor, fleet_with_history):  # noqa: F811
    from tests.browser.test_phone_layout import PHONE, fits, log_in, on_screen

    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, victor)
    page.goto(reverse("reports", kwargs={"slug": "acme"}))
    expect(page.locator("svg[role=img]")).to_have_count(5)
    fits(page, "reports")
    on_screen(page.get_by_role("link", name="90 days"))
    for i in range(5):
        box = page.locator("svg[role=img]").nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5
    context.close()
