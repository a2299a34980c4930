"""Two-factor authentication in the browser: enrol with a code computed from the key the page
shows (as an authenticator app would), then log out and log in with the password and a code."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def code_for(secret: str, at: float) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")), step=30, digits=6)
    totp.time = at
    return f"{totp.token():06d}"


def test_it_enrols_and_logs_in_with_a_code(page, logged_in, alice, acme):
    logged_in(alice)
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    page.get_by_role("link", name="alice", exact=True).click()  # the user name: their account
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator("#otpauth-uri")).to_have_attribute("href", re.compile(r"^otpauth://totp/"))
    secret = page.get_by_label("Key").input_value()

    now = time.time()
    page.get_by_label("Code").fill(code_for(secret, now))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").locator("li")).to_have_count(10)

    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Log out").click()
    logged_in(alice)
    expect(page.get_by_role("heading", name="Two-factor code")).to_be_visible()
    page.get_by_label("Code").fill("not-a-code")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").or_(page.locator(".field-error"))).to_contain_text("That code is not right")
    # The code of the next step (the current one was used to enrol): within the tolerance.
    page.get_by_label("Code").fill(code_for(secret, now + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    assert page.csp_violations == []
