"""The API in the browser: an admin creates a token (shown once) and the device list's
export links follow the filters as htmx changes them."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken

pytestmark = pytest.mark.browser


def test_it_lets_an_admin_create_a_token_shown_once(page, logged_in, alice, acme_camera):
    logged_in(alice)
    page.goto("/p/acme/api/")
    expect(page.locator("pre code").first).to_contain_text(f"{page.url.split('/p/')[0]}/api/v1/partners/acme/devices/")
    page.get_by_label("Name").fill("Nightly BI")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("rfk_") and ApiToken.objects.get().name == "Nightly BI"
    page.goto("/p/acme/api/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.get_by_role("cell", name="Nightly BI")).to_be_visible()
    assert page.csp_violations == []


def test_it_keeps_the_device_lists_export_links_on_the_current_filter(page, logged_in, victor, acme_camera):
    logged_in(victor)
    page.goto("/p/acme/devices/")
    page.get_by_label("Status", exact=True).select_option("no")
    json_link = page.locator("a.export-json")
    expect(json_link).to_have_attribute("href", "/api/v1/partners/acme/devices/?online=no")
    expect(page.locator("a.export-csv")).to_have_attribute("href", "/api/v1/partners/acme/devices.csv?online=no")
    page.get_by_label("Status", exact=True).select_option("yes")
    expect(json_link).to_have_attribute("href", "/api/v1/partners/acme/devices/?online=yes")
    json_link.click()
    expect(page.locator("body")).to_contain_text(acme_camera.uid)
