"""The rollout page at 1,400 px and on a 390 px phone: its state in words, Roll back and
Cancel apart from the everyday controls, each asking first with its device count (and
staying open while the page polls), and the page no wider than the screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from firmware.models import RolloutResult
from jobs.models import ItemState, JobItem, JobState
from tests.firmware.rollouts import library_image, start
from tests.firmware.test_rollout_pages import fleet

from .pages import csp_violations, log_in, open_page
from .test_device_list_layout import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400", "390"])
def test_it_asks_before_rolling_back_or_cancelling(browser, live_server, acme, olga, viewport):
    fleet(acme)
    # Nothing is sent: the devices wait for a start time tomorrow.
    rollout = start(
        acme, olga, library_image(acme), canary=1, wave_size=2, starts_at=timezone.now() + timedelta(days=1)
    )
    rollout.job.state = JobState.RUNNING
    rollout.job.save()
    upgraded = JobItem.objects.filter(job_id=rollout.job_id).order_by("id")[:2]
    JobItem.objects.filter(id__in=[i.id for i in upgraded]).update(state=ItemState.DONE, result=RolloutResult.SUCCEEDED)

    context, page = open_page(browser, live_server.url, viewport["width"], viewport["height"])
    try:
        log_in(page, olga)
        page.goto(reverse("rollout_detail", kwargs={"slug": "acme", "rollout_id": rollout.id}))
        expect(page.locator("#rollout-headline")).to_contain_text("Wave 1 done: 3 devices wait for Next wave.")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

        danger = page.get_by_role("group", name="Undo or stop")
        expect(page.get_by_role("button", name="Roll back 2 devices")).to_be_hidden()
        danger.get_by_text("Roll back…").click()
        expect(page.get_by_role("button", name="Roll back 2 devices")).to_be_visible()
        cancel = page.locator("#confirm-cancel")
        cancel.get_by_text("Cancel rollout…").click()
        expect(cancel).to_contain_text("Cancel the rollout? 3 devices not finished will not be upgraded.")
        # The progress polls every 2 s: the confirmation stays open through a poll.
        with page.expect_response(lambda r: "part=progress" in r.url):
            pass
        page.wait_for_timeout(300)
        expect(page.get_by_role("button", name="Yes, cancel the rollout")).to_be_visible()
        box = page.get_by_role("button", name="Yes, cancel the rollout").bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"] + 0.5
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shot(page, f"rollout_confirm_{viewport['width']}")
        page.get_by_role("button", name="Yes, cancel the rollout").click()
        expect(page.locator("#rollout-headline")).to_contain_text("Cancelled.")
        rollout.job.refresh_from_db()
        assert rollout.job.state == JobState.CANCELLED
        assert csp_violations(page) == []
    finally:
        context.close()
