"""What the console reads from a LAN device (rop.lan through devices.drivers) matches
what reolink-aio, Home Assistant's library, reads from the same emulated device: the
same identity, channels, abilities and presets. reolink-aio is a dev dependency only
(the console's runtime is rop.lan); `bc_port` points it at the emulator's stand-in so it
never waits on port 9000 (docs/lan-devices.md, "reolink-aio")."""

import asyncio

import pytest
from reolink_aio.api import Host

from devices.drivers import LanDriver, driver_for

from .conftest import add_device


async def read_with_reolink_aio(lan, uid):
    ep = lan.endpoint(uid)
    host = Host(
        ep.host, ep.username, ep.password, port=ep.port, use_https=False, timeout=5, bc_port=lan.servers.media_port
    )
    try:
        await host.get_host_data()
        return {
            "uid": host.uid,
            "model": host.model,
            "name": host.nvr_name,
            "firmware": host.sw_version,
            "is_nvr": host.is_nvr,
            "channels": host.channels,
            "names": [host.camera_name(ch) for ch in host.channels],
            "ptz": host.supported(0, "pan_tilt"),
            "zoom": host.supported(0, "zoom"),
            "spotlight": host.supported(0, "floodLight"),
            "siren": host.supported(0, "siren_play"),
            "presets": host.ptz_presets(0),
        }
    finally:
        await host.logout()


@pytest.mark.parametrize("kind", ["camera", "nvr", "noai"])
def test_it_reads_what_reolink_aio_reads(kind, client_of, olga, lan, devs):
    device = add_device(client_of(olga), lan, devs[kind])
    theirs = asyncio.run(asyncio.wait_for(read_with_reolink_aio(lan, device.uid), 30))
    with driver_for(device) as driver:
        assert isinstance(driver, LanDriver)
        ours = driver.identify()
        abilities = ours.abilities
        presets = {p.name: p.id for p in driver.presets(0)} if "presets" in abilities else {}
    assert (ours.uid, ours.info.model, ours.info.name, ours.info.firmware, ours.info.is_nvr) == (
        theirs["uid"],
        theirs["model"],
        theirs["name"],
        theirs["firmware"],
        theirs["is_nvr"],
    )
    assert [c.channel for c in ours.channels] == theirs["channels"]
    assert [c.name for c in ours.channels] == theirs["names"]
    assert ("ptz" in abilities, "zoom" in abilities) == (theirs["ptz"], theirs["zoom"])
    assert ("spotlight" in abilities, "siren" in abilities) == (theirs["spotlight"], theirs["siren"])
    assert presets == theirs["presets"]
