"""The new-rollout form in Chromium on a wide screen (1,400 px) and a phone's (390 px), as
"Roll out this image" opens it: its settings sit in named groups, every label reads on
one or two lines with no word broken, and the page never scrolls sideways."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.firmware.rollouts import library_image
from tests.firmware.test_rollout_pages import fleet

from .pages import csp_violations, log_in, open_page

pytestmark = pytest.mark.browser

# Set to a directory to keep screenshots of the page and of each group (for a person to look at).
SCREENSHOTS = os.environ.get("ROLLOUT_FORM_SCREENSHOTS", "")
GROUPS = {
    "Image and devices": ["Image", "Name", "Search", "Model"],
    "Waves": [
        "Canary devices",
        "Wave size (devices)",
        "Or wave size (% of devices)",
        "Next wave by itself at % upgraded",
    ],
    "Pace": ["Most devices upgrading at once", "Battery minimum (%)"],
    "Failure rules": [
        "Pause after this many devices reject the image",
        "Devices finished before judging",
        "Pause at % failed",
    ],
    "Schedule": ["Start at", "Daily window from", "Daily window to", "Deadline"],
    "Factory reset": ["Restore factory settings after the upgrade", "I understand every device loses its settings"],
}

# Every label of the form: its text, the lines it takes (its height over its computed line
# height) and the words the browser broke across two lines.
LABELS = """() => [...document.querySelectorAll("#rollout-form label")]
  .filter((label) => label.checkVisibility())
  .map((label) => {
    const style = getComputedStyle(label);
    const broken = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(word[0]);
      }
    }
    return {
      text: label.textContent.trim().replace(/\\s+/g, " "),
      lines: Math.round(label.getBoundingClientRect().height / parseFloat(style.lineHeight)),
      broken,
    };
  })"""


def reads_well(page, width: int, name: str) -> None:
    """The groups, each a fieldset named by its legend and holding its settings; nothing
    scrolls sideways; every label reads on one or two lines, no word broken."""
    page.wait_for_load_state("load")
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}_{width}.png", full_page=True)
        for i, group in enumerate(page.locator("#rollout-form fieldset").all()):
            group.screenshot(path=f"{SCREENSHOTS}/{name}_{width}_group{i}.png")
    expect(page.locator("#rollout-form fieldset > legend")).to_have_text(list(GROUPS))
    for legend, labels in GROUPS.items():
        group = page.get_by_role("group", name=legend, exact=True)
        for label in labels:
            expect(group.get_by_label(label)).to_be_visible()
    expect(page.get_by_role("group", name="Schedule")).to_contain_text(
        "Times are in Europe/Berlin, the partner's time zone."
    )
    scroll_width, inner_width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert inner_width == width and scroll_width <= inner_width + 1, (name, scroll_width, inner_width)
    labels = page.evaluate(LABELS)
    assert len(labels) >= 25, labels
    assert [label for label in labels if label["lines"] > 2 or label["broken"]] == [], name


@pytest.mark.parametrize("width", [1400, 390])
def test_it_reads_the_rollout_form_in_groups_at_each_width(browser, live_server, olga, acme, width):
    acme.time_zone = "Europe/Berlin"
    acme.save(update_fields=["time_zone"])
    fleet(acme)
    image = library_image(acme)
    context, page = open_page(browser, live_server.url, width)
    try:
        log_in(page, olga)
        page.goto(reverse("rollout_new", kwargs={"slug": "acme"}) + f"?image={image.id}")
        expect(page.get_by_role("heading", name="New rollout")).to_be_visible()
        expect(page.locator("#rollout-preview")).to_contain_text("5 devices will be upgraded")
        reads_well(page, width, "rollout_new")

        # Sent with mistakes, it says what is wrong under each field and still reads well.
        page.get_by_label("Canary devices").fill("-1")
        page.get_by_label("Wave size (devices)").fill("2")
        page.get_by_label("Or wave size (% of devices)").fill("10")
        page.get_by_label("Restore factory settings after the upgrade").check()
        page.get_by_role("button", name="Start rollout").click()
        expect(page.locator("#id_wave_percent_error")).to_have_text(
            "Give the wave size as a count or a percent, not both."
        )
        expect(page.locator("#id_confirm_factory_reset_error")).to_be_visible()
        expect(page.locator("#id_canary_error")).to_be_visible()
        reads_well(page, width, "rollout_new_errors")
        assert csp_violations(page) == []
    finally:
        context.close()
