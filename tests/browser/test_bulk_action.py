"""An operator filters the device list, selects devices and disables their alarm
notifications; a real Celery worker runs the job against ropsim while the page polls."""

import re

import pytest
import requests
from playwright.sync_api import expect

from devices.models import Device
from tests.devices.fleet_rows import rows_from_sim

pytestmark = pytest.mark.browser


def test_it_lets_an_operator_disable_alarms_on_filtered_devices(
    page, logged_in, live_server, celery_worker, sim, acme_on_sim, olga
):
    fleet = rows_from_sim(sim, acme_on_sim)
    model = max({d.model for d in fleet}, key=lambda m: sum(d.model == m for d in fleet))
    of_model = sorted((d for d in fleet if d.model == model), key=lambda d: (d.display_name, d.id))
    assert len(of_model) >= 2
    offline = of_model[0]
    requests.post(f"{sim.control_url}/devices/{offline.uid}/offline", timeout=5).raise_for_status()
    # Slow device calls, so that the page is seen polling before the job is done.
    requests.put(f"{sim.control_url}/faults", json={"latency_ms": 400}, timeout=5).raise_for_status()

    logged_in(olga)
    page.get_by_role("link", name="Devices", exact=True).click()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()

    # Typing filters the table in place and keeps the filter in the URL (blank fields left out).
    page.get_by_label("Model").fill(model)
    expect(page).to_have_url(re.compile(r"/p/acme/devices/\?model="))
    assert "online=" not in page.url
    rows = page.locator("#device-rows tr")
    expect(rows).to_have_count(len(of_model))
    expect(page.locator("#device-summary")).to_contain_text(f"{len(of_model)} matching")

    # Tick the whole page with the header box, then start the action.
    page.get_by_label("Select all on this page").check()
    expect(page.locator("#device-rows input[name=device]:checked")).to_have_count(len(of_model))
    page.get_by_role("button", name="Disable alarm notifications").click()

    expect(page).to_have_url(re.compile(r"/p/acme/jobs/\d+/$"))
    expect(page.get_by_role("heading", name="Disable alarm notifications")).to_be_visible()
    progress = page.locator("#job-progress progress")
    expect(progress).to_have_attribute("max", str(len(of_model)))
    expect(page.locator("#job-progress")).to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("#job-progress")).to_contain_text("Done", timeout=30_000)
    expect(progress).to_have_attribute("value", str(len(of_model)))
    expect(page.locator("#job-progress")).not_to_have_attribute("hx-trigger", re.compile("every"))

    results = page.locator("#job-items tbody tr")
    expect(results).to_have_count(len(of_model))
    expect(results.filter(has_text=offline.uid)).to_contain_text("The device is offline.")
    expect(results.filter(has_text="Alarm notifications disabled.")).to_have_count(len(of_model) - 1)

    # The per-result filter narrows the list to the offline device.
    page.locator(".result-filters a", has_text="Offline").click()
    expect(results).to_have_count(1)
    expect(page).to_have_url(re.compile(r"result=offline"))

    assert Device.objects.filter(id__in=[d.id for d in of_model[1:]], alarm_enabled=False).count() == len(of_model) - 1

    # Back on the list, the job is among the recent bulk actions, read when they are opened.
    page.get_by_role("link", name="Devices", exact=True).click()
    page.get_by_text("Recent bulk actions").click()
    recent = page.locator(".recent-jobs-body")
    expect(recent).to_contain_text(f"Disable alarm notifications × {len(of_model)}")
    expect(recent.get_by_role("link", name="All jobs")).to_be_visible()
    assert page.csp_violations == []
