"""An operator uploads a firmware image in Chromium: the progress bar moves, the
image's page opens, and the library lists it. A name the Core Server would refuse
is answered in place."""

import hashlib
import os

import pytest
from playwright.sync_api import expect

from firmware.models import FirmwareImage

pytestmark = pytest.mark.browser

NAME = "RLC-810A.2400_24010100.REOLINK.pak"


def test_it_lets_an_operator_upload_an_image_and_see_it_in_the_library(
    page, logged_in, live_server, olga, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = os.urandom(8 * 1024 * 1024)
    seen = []  # (bar value, bar hidden) at each progress event, reported from the page
    page.expose_binding("reportProgress", lambda _source, value, hidden: seen.append((value, hidden)))

    logged_in(olga)
    page.get_by_role("link", name="Firmware", exact=True).click()
    expect(page.get_by_role("heading", name="Firmware library")).to_be_visible()
    expect(page.locator("#firmware-rows")).to_contain_text("No images yet.")
    expect(page.locator("#firmware-upload-progress")).to_be_hidden()
    page.evaluate(
        """() => document.addEventListener("htmx:xhr:progress", () => {
             const bar = document.querySelector("#firmware-upload-progress");
             window.reportProgress(bar.value, bar.hidden);
           })"""
    )

    # A name the Core Server refuses: the error appears in place, nothing is stored.
    page.get_by_label("Firmware image").set_input_files(
        files=[{"name": "firmware.bin", "mimeType": "application/octet-stream", "buffer": b"\x00" * 1000}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#firmware-upload .field-error")).to_contain_text("accepts only .pak and .paks")
    assert not FirmwareImage.objects.exists()

    seen.clear()
    page.get_by_label("Firmware image").set_input_files(
        files=[{"name": NAME, "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible(timeout=30_000)
    assert seen, "no progress event reached the page"
    assert all(not hidden for _, hidden in seen), "the bar was hidden while uploading"
    assert seen[-1][0] == 100
    assert [value for value, _ in seen] == sorted(value for value, _ in seen)  # only forward
    expect(page.locator("#firmware-push")).to_contain_text("Not on the Core Server")
    expect(page.locator("main")).to_contain_text(hashlib.sha256(data).hexdigest())

    page.get_by_role("link", name="← Firmware library").click()
    row = page.locator("#firmware-rows tr", has_text=NAME)
    expect(row).to_contain_text("RLC_810A_240101_2400")
    expect(row).to_contain_text("RLC-810A")
    expect(row).to_contain_text("8.0\u00a0MB")
    image = FirmwareImage.objects.get(file_name=NAME)
    assert image.size == len(data) and image.sha256 == hashlib.sha256(data).hexdigest()
    assert page.csp_violations == []
