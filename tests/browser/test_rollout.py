"""An operator uploads an image in Chromium, opens a rollout of it from its page, sees
which devices it takes, starts it, and watches the bar reach the end while a real
Celery worker upgrades the cameras in ropsim (a thread sweeps as beat would)."""

import re
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect

from firmware.models import FirmwareImage, Rollout
from jobs import sweeper
from tests.devices.fleet_rows import rows_from_sim
from tests.firmware.rollouts import MODEL, NAME, NEW_VERSION

pytestmark = pytest.mark.browser


@pytest.fixture
def beat():
    """jobs.tasks.sweep every 0.3 s, as beat runs it every JOBS_SWEEP_SECONDS."""
    stop = threading.Event()

    def sweep_often() -> None:
        try:
            while not stop.wait(0.3):
                sweeper.sweep()
        finally:
            connection.close()

    thread = threading.Thread(target=sweep_often, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def test_it_lets_an_operator_start_a_rollout_and_watch_it_finish(
    page, logged_in, live_server, celery_worker, beat, sim, acme_on_sim, olga, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROLLOUT_UPGRADE_SECONDS = 0.3
    settings.ROLLOUT_FIRST_READ_SECONDS = 0.1
    fleet = rows_from_sim(sim, acme_on_sim)
    cameras = [d for d in fleet if d.model == MODEL]
    assert len(cameras) >= 2
    logged_in(olga)
    page.get_by_role("link", name="Firmware", exact=True).click()
    page.get_by_label("Firmware image").set_input_files(
        files=[{"name": NAME, "mimeType": "application/octet-stream", "buffer": b"\x00firmware" * 20_000}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible(timeout=30_000)
    image = FirmwareImage.objects.get(file_name=NAME)
    assert image.version and image.target_models == [MODEL]
    page.get_by_role("button", name="Roll out this image").click()
    expect(page.get_by_role("heading", name="New rollout")).to_be_visible()
    expect(page.locator("#rollout-preview")).to_contain_text(f"{len(cameras)} devices will be upgraded")
    expect(page.locator("#rollout-preview")).to_contain_text(f"Incompatible model: {len(fleet) - len(cameras)}")
    page.get_by_label("Canary devices").fill("1")
    page.get_by_label("Next wave by itself at % upgraded").fill("100")
    page.get_by_role("button", name="Start rollout").click()

    expect(page).to_have_url(re.compile(r"/p/acme/firmware/rollouts/\d+/$"))
    bar = page.locator("#rollout-bar")
    expect(bar).to_have_attribute("max", str(len(cameras)))
    expect(page.locator("#rollout-progress")).to_have_attribute("hx-trigger", "every 2s")
    expect(page.locator("#rollout-progress [data-state]")).to_have_text("Done", timeout=60_000)
    expect(bar).to_have_attribute("value", str(len(cameras)))
    expect(page.locator("#rollout-progress")).to_contain_text(f"Upgraded {len(cameras)} (100 %)")
    expect(page.locator("#rollout-devices tbody tr")).to_have_count(len(cameras))
    assert not page.csp_violations
    rollout = Rollout.objects.get()
    assert rollout.current_wave == 1
    assert all(sim.sim.fleet.devices[d.uid].firmware == NEW_VERSION for d in cameras)
