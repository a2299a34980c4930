"""devices.drivers: one interface for a device reached through the Core Server (ropsim)
or over the LAN (ropsim.lan); what a transport cannot do is a clear NotSupported, raised
before anything is sent."""

import pytest

from devices import actions
from devices.connection import NotSupported, describe
from devices.drivers import LanDriver, RopDriver, driver_for
from devices.models import Device, ItemResult, Transport

from ..simtools import sim_uid


@pytest.fixture
def rop_device(acme_on_sim, sim):
    uid = sim_uid(sim, model="RLC-823A")
    return Device.objects.create(partner=acme_on_sim, uid=uid, model="RLC-823A", online=True)


def test_it_gives_each_device_the_driver_of_its_transport(rop_device, lan_camera):
    with driver_for(rop_device) as rop, driver_for(lan_camera) as lan:
        assert isinstance(rop, RopDriver) and rop.transport == Transport.ROP
        assert isinstance(lan, LanDriver) and lan.transport == Transport.LAN


def test_it_does_what_both_transports_can_through_one_interface(rop_device, lan_camera, sim, lan):
    for device in (rop_device, lan_camera):
        with driver_for(device, interactive=True) as driver:
            assert driver.snapshot(0, "sub", 5_000_000).startswith(b"\xff\xd8")
            driver.ptz(0, "zoom_in", 32)
            driver.ptz(0, "left", 10)
            driver.ptz(0, "stop", 10)
            assert driver.refresh().startswith("Refreshed")
    assert sim.sim.fleet.devices[rop_device.uid].ptz.zoom > 0
    assert lan.state(lan_camera.uid).channels[0].ptz.last_op == "Stop"


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.presets(0),
        lambda d: d.recall_preset(0, 1, 32),
        lambda d: d.spotlight(0, True),
        lambda d: d.siren(0),
        lambda d: d.reboot(),
        lambda d: d.ptz(0, "auto", 32),
    ],
)
def test_it_says_what_the_core_server_cannot_do(rop_device, sim, call):
    with driver_for(rop_device) as driver, pytest.raises(NotSupported) as raised:
        call(driver)
    failure = describe(raised.value)
    assert failure.result == ItemResult.NOT_SUPPORTED and "not supported on this transport (ROP Core Server)" in (
        failure.message
    )


@pytest.mark.parametrize("call", [lambda d: d.set_alarm(True), lambda d: d.rop()])
def test_it_says_what_the_lan_cannot_do(lan_camera, lan, call):
    before = lan.state(lan_camera.uid).requests_seen
    with driver_for(lan_camera) as driver, pytest.raises(NotSupported) as raised:
        call(driver)
    assert "not supported on this transport (LAN JSON API)" in str(raised.value)
    assert lan.state(lan_camera.uid).requests_seen == before  # nothing was sent


def test_it_answers_a_rop_only_action_on_a_lan_device_as_not_supported(lan_camera, olga):
    outcome = actions.set_pir(lan_camera, olga, True, 50, False)
    assert outcome.result == ItemResult.NOT_SUPPORTED and "not supported on this transport" in outcome.message
    outcome = actions.set_alarm(lan_camera, olga, True)
    assert outcome.result == ItemResult.NOT_SUPPORTED


def test_it_logs_out_when_a_lan_driver_closes(lan_camera, lan):
    state = lan.state(lan_camera.uid)
    before = len(state.sessions)
    with driver_for(lan_camera) as driver:
        driver.ptz(0, "stop", 1)
        assert len(state.sessions) == before + 1
    assert len(state.sessions) == before
    assert list(state.commands_seen)[-1] == "Logout"


def test_it_caps_a_lan_devices_timeout_when_a_person_waits(lan_camera):
    lan_camera.lan_timeout_ms = 20_000
    with driver_for(lan_camera, interactive=True) as waited, driver_for(lan_camera) as background:
        assert isinstance(waited, LanDriver) and isinstance(background, LanDriver)
        assert (waited.client.timeout, background.client.timeout) == (8.0, 20.0)
