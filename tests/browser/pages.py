"""Pages for the browser tests: one at a given width (a phone's below 768 px), watching
for what the Content Security Policy refuses, and logging in through the form."""

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

PHONE_BELOW = 768


def csp_violations(page: Page) -> list[str]:
    violations: list[str] = page.csp_violations  # type: ignore[attr-defined]  # set by watch_csp
    return violations


def watch_csp(page: Page) -> Page:
    """page's csp_violations (csp_violations(page)): what the browser reported the policy refused."""
    found: list[str] = []
    page.csp_violations = found  # type: ignore[attr-defined]

    def on_console(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text:
            found.append(msg.text)

    page.on("console", on_console)
    return page


def open_page(browser: Browser, base_url: str, width: int, height: int = 900) -> tuple[BrowserContext, Page]:
    """A new context and its page at this viewport; the caller closes the context."""
    phone = width < PHONE_BELOW
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, watch_csp(page)


@contextmanager
def sized_page(browser: Browser, base_url: str, width: int, height: int = 900) -> Iterator[Page]:
    context, page = open_page(browser, base_url, width, height)
    try:
        yield page
    finally:
        context.close()


def log_in(page: Page, user, password: str = "correct horse 42") -> Page:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    return page
