"""Adding a LAN device in Chromium, seeing its channels and moving its PTZ, against
ropsim's LAN emulator over real HTTP."""

import pytest
from playwright.sync_api import expect

from devices.models import Device
from ropsim.fleet import Fleet
from ropsim.lan import DEMO_PASSWORD
from ropsim.lan.testing import LanThread

pytestmark = pytest.mark.browser


@pytest.fixture
def lan_fleet():
    fleet = Fleet(seed=31)
    camera = fleet.create_device("RLC-823A")
    with LanThread(fleet) as lan:
        yield lan, camera


def test_it_adds_a_lan_camera_shows_its_channels_and_moves_it(page, logged_in, live_server, lan_fleet, olga, settings):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True  # the emulator is on 127.0.0.1, as in the demo
    lan, camera = lan_fleet
    endpoint = lan.endpoint(camera.uid)
    logged_in(olga)
    page.goto("/p/acme/devices/")
    page.get_by_role("button", name="Add a LAN device").click()
    page.get_by_label("Address").fill(endpoint.host)
    page.get_by_label("Port").fill(str(endpoint.port))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connect and add").click()
    result = page.locator("#lan-added")
    expect(result).to_contain_text("RLC-823A")
    expect(result).to_contain_text(camera.uid)

    page.get_by_role("button", name="Open the device").click()
    expect(page.locator("#device-title")).to_contain_text("RLC-823A")
    channel = page.locator("#lan-channels tr[data-channel='0']")
    expect(channel).to_contain_text("online")

    page.locator("#command-duration").fill("")  # keep moving until Stop
    page.get_by_role("button", name="Move left", exact=True).click()
    expect(page.locator("#command-result [role=status]")).to_have_text("Channel 0: moving left at speed 32.")
    ptz = lan.state(camera.uid).channels[0].ptz
    assert ptz.moving == "Left"
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.locator("#command-result [role=status]")).to_have_text("Channel 0: stopped.")
    assert ptz.moving == "" and ptz.last_op == "Stop"
    assert Device.objects.get(uid=camera.uid).transport == "lan"
    assert page.csp_violations == []
