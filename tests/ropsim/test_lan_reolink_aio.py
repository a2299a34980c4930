"""reolink-aio (Home Assistant's Reolink library) against the LAN emulator.

Each test runs the emulator and the client in one event loop with
``asyncio.run`` (pytest-asyncio is not used).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable

import pytest
from PIL import Image
from reolink_aio.api import Host
from reolink_aio.exceptions import CredentialsInvalidError, LoginError, ReolinkError

from ropsim.fleet import Fleet
from ropsim.lan import LanServers, start_lan_servers


def host_for(servers: LanServers, uid: str, password: str | None = None) -> Host:
    ep = servers.endpoint(uid)
    return Host(
        ep.host, ep.username, ep.password if password is None else password, port=ep.port, use_https=False, timeout=5
    )


def run(models: list[str], scenario: Callable[[Fleet, LanServers, list[str]], Awaitable[None]]) -> None:
    async def main() -> None:
        fleet = Fleet(seed=11)
        uids = [fleet.create_device(m).uid for m in models]
        servers = await start_lan_servers(fleet)
        try:
            await asyncio.wait_for(scenario(fleet, servers, uids), 20)
        finally:
            await servers.close()

    asyncio.run(main())


def test_it_serves_a_cameras_host_data_states_snapshot_ptz_and_logout() -> None:
    async def scenario(fleet: Fleet, servers: LanServers, uids: list[str]) -> None:
        uid = uids[0]
        dev = fleet.devices[uid]
        host = host_for(servers, uid)
        await host.get_host_data()  # Login + GetDevInfo/GetChannelstatus/GetAbility/... batches
        assert host.model == "RLC-823A" and host.nvr_name == dev.name
        assert host.uid == uid and not host.is_nvr
        assert host.num_channels == 1 and host.channels == [0]
        assert host.sw_version.startswith("v3.")
        for capability in (
            "ptz",
            "pan_tilt",
            "zoom",
            "ptz_speed",
            "ptz_presets",
            "floodLight",
            "motion_detection",
            "ai_people",
            "ai_vehicle",
            "siren_play",
        ):
            assert host.supported(0, capability), capability
        assert host.supported(None, "reboot")
        assert host.ptz_presets(0) == {"home": 1}
        assert host.ai_supported(0, "people") and not host.ai_supported(0, "face")

        await host.get_states()
        assert not host.motion_detected(0) and not host.ai_detected(0, "people")
        fleet.raise_alarm(uid, 0, "MD", ["people"])
        await host.get_states()
        assert host.motion_detected(0) and host.ai_detected(0, "people")
        assert not host.ai_detected(0, "vehicle")
        assert await host.get_motion_state(0) is True  # the single-call path (GetMdState)
        ai = await host.get_ai_state(0)
        assert ai is not None and ai["people"] is True
        fleet.clock.advance(11)  # the alarm hold (10 s) runs out
        await host.get_states()
        assert not host.motion_detected(0) and not host.ai_detected(0, "people")

        jpeg = await host.get_snapshot(0)
        assert jpeg is not None and Image.open(io.BytesIO(jpeg)).format == "JPEG"

        ptz = servers.state[uid].channels[0].ptz
        pan = ptz.pan
        await host.set_ptz_command(0, command="Left", speed=10)
        assert ptz.pan < pan and ptz.moving == "Left" and dev.ptz.direction == "left"
        await host.set_ptz_command(0, command="Stop")
        assert ptz.moving == ""
        await host.set_ptz_command(0, command="ZoomInc", speed=16)
        assert dev.ptz.zoom > 0
        await host.set_ptz_command(0, preset="home")
        assert ptz.last_op == "ToPos" and ptz.pan == 1800

        await host.logout()
        assert len(servers.state[uid].sessions) == 0
        assert "Logout" in servers.state[uid].commands_seen

    run(["RLC-823A"], scenario)


def test_it_reports_an_nvrs_eight_channels_and_per_channel_alarms() -> None:
    async def scenario(fleet: Fleet, servers: LanServers, uids: list[str]) -> None:
        uid = uids[0]
        host = host_for(servers, uid)
        await host.get_host_data()
        assert host.is_nvr and host.num_channels == 8 and host.channels == list(range(8))
        assert host.camera_name(2).endswith("CH03")
        fleet.raise_alarm(uid, 3, "none", ["vehicle"])
        await host.get_states()
        assert [host.motion_detected(ch) for ch in range(8)] == [ch == 3 for ch in range(8)]
        assert host.ai_detected(3, "vehicle") and not host.ai_detected(2, "vehicle")
        jpeg = await host.get_snapshot(7)
        assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
        await host.logout()

    run(["NVR RLN8-410"], scenario)


def test_it_renews_an_expired_token_transparently() -> None:
    async def scenario(fleet: Fleet, servers: LanServers, uids: list[str]) -> None:
        host = host_for(servers, uids[0])
        await host.get_host_data()
        servers.state[uids[0]].sessions.expire_all()  # the camera forgets the token (-6 next call)
        logins = list(servers.state[uids[0]].commands_seen).count("Login")
        await host.get_states()  # reolink-aio sees "please login first", logs in again, retries
        assert list(servers.state[uids[0]].commands_seen).count("Login") == logins + 1
        await host.logout()

    run(["RLC-810A"], scenario)


def test_it_gives_a_login_error_for_a_bad_password_and_engages_the_lockout() -> None:
    async def scenario(fleet: Fleet, servers: LanServers, uids: list[str]) -> None:
        uid = uids[0]
        bad = host_for(servers, uid, password="not-the-password")
        for _ in range(5):
            with pytest.raises(CredentialsInvalidError, match="login failed"):
                await bad.get_host_data()
        good = host_for(servers, uid)
        with pytest.raises(CredentialsInvalidError, match="Login has been locked"):
            await good.get_host_data()
        fleet.clock.advance(301)
        await good.get_host_data()
        assert good.model == "Argus 3 Pro"
        await good.logout()
        await bad.logout()

    run(["Argus 3 Pro"], scenario)


def test_it_fails_fast_for_offline_and_rebooting_devices() -> None:
    async def scenario(fleet: Fleet, servers: LanServers, uids: list[str]) -> None:
        uid = uids[0]
        host = host_for(servers, uid)
        await host.get_host_data()
        await host.reboot()  # answered, then the device drops off the LAN
        assert not fleet.devices[uid].online
        with pytest.raises(ReolinkError):
            await host.get_states()
        fleet.clock.advance(servers.state.options.reboot_seconds + 1)
        await host.get_states()  # back: reolink-aio logs in again by itself
        assert fleet.devices[uid].online

        fleet.set_offline(uid)
        # A fresh client would fall back to Baichuan on port 9000 and wait for
        # its own timeouts; pointing bc_port at the emulator's stand-in keeps
        # the failure immediate.
        ep = servers.endpoint(uid)
        fresh = Host(
            ep.host, ep.username, ep.password, port=ep.port, use_https=False, timeout=5, bc_port=servers.media_port
        )
        with pytest.raises(LoginError, match="Server disconnected"):
            await fresh.get_host_data()
        await fresh.logout()
        await host.logout()

    run(["E1 Zoom"], scenario)
