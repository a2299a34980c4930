"""Browser tests: Playwright driving Debian's headless Chromium against the live server.

No browser download: Playwright launches /usr/bin/chromium (the `chromium` package,
which `make test` installs when it can)."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from .pages import log_in, watch_csp

# Playwright's sync API runs an event loop in the test thread; the ORM calls our
# fixtures make there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The machine has no network: keep Chromium from phoning home at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Per module, not per session: Playwright's sync API keeps an event loop running in
# this thread while it is open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: install Debian's chromium package (make test does it as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield watch_csp(page)
    context.close()


@pytest.fixture
def logged_in(page):
    """logged_in(user) -> the page, after logging in through the form."""

    def login(user, password="correct horse 42"):
        return log_in(page, user, password)

    return login
