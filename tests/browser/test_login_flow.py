import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_logs_in_shows_the_overview_and_logs_out(page, logged_in, alice, acme_camera):
    logged_in(alice)
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    expect(page.locator(".figure").first).to_contain_text("1")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    assert page.csp_violations == []


def test_it_shows_an_error_for_a_wrong_password(page, logged_in, alice):
    logged_in(alice, password="not the password")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
