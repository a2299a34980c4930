"""The control API (/_sim/) has no authentication and shows the token and authcode: it answers
callers on this machine (a loopback peer) only, 403 JSON to anyone else, unless the simulator
is started with --control-from-anywhere. The ROP side (/v1.0) is not concerned."""

from __future__ import annotations

import asyncio
import ipaddress
import subprocess
from unittest import mock

import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from ropsim.cli import config_from_args
from ropsim.config import SimConfig
from ropsim.server import control_middleware, create_app, from_this_machine
from ropsim.sim import Simulator
from ropsim.testing import start_in_thread


def peer_request(app: web.Application, path: str, peer: str) -> web.Request:
    transport = mock.Mock()
    extra = {"peername": (peer, 40000), "sockname": ("127.0.0.1", 8900)}
    transport.get_extra_info.side_effect = lambda name, default=None: extra.get(name, default)
    return make_mocked_request("GET", path, app=app, transport=transport)


def answer(app: web.Application, path: str, peer: str) -> web.StreamResponse:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"reached": True})

    return asyncio.run(control_middleware(peer_request(app, path, peer), handler))


def test_it_refuses_the_control_api_to_a_peer_not_on_this_machine() -> None:
    app = create_app(Simulator(SimConfig(devices=1)))
    for stranger in ("203.0.113.5", "10.1.2.3", "192.168.1.9", "fd00::2", "::ffff:10.0.0.1"):
        refused = answer(app, "/_sim/config", stranger)
        assert refused.status == 403 and refused.content_type == "application/json", stranger
        assert b"control_forbidden" in refused.body  # type: ignore[attr-defined]
    for local in ("127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"):
        assert answer(app, "/_sim/config", local).status == 200, local
    assert answer(app, "/v1.0/devices", "203.0.113.5").status == 200  # the ROP side: its gateway's business
    anywhere = create_app(Simulator(SimConfig(devices=1, control_from_anywhere=True)))
    assert answer(anywhere, "/_sim/config", "203.0.113.5").status == 200
    assert not from_this_machine(None) and not from_this_machine("") and not from_this_machine("not-an-address")


def test_it_takes_the_flag_on_the_command_line_off_by_default() -> None:
    assert config_from_args([]).control_from_anywhere is False
    assert config_from_args(["--control-from-anywhere"]).control_from_anywhere is True


def local_non_loopback_address() -> str | None:
    """An IPv4 address of this machine's own that is not loopback (traffic to it stays here)."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for word in out.split():
        try:
            address = ipaddress.ip_address(word)
        except ValueError:
            continue
        if address.version == 4 and not address.is_loopback:
            return word
    return None


def test_it_refuses_a_real_caller_on_another_address_of_this_machine() -> None:
    address = local_non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    running = start_in_thread(SimConfig(devices=2, host=address))
    try:
        refused = requests.get(running.control_url + "/config", timeout=10)
        assert refused.status_code == 403 and refused.json()["error"] == "control_forbidden"
        assert running.sim.config.token is None or running.sim.config.token not in refused.text
        assert requests.get(running.base_url + "/v1.0/devices", timeout=10).status_code == 200
    finally:
        running.stop()
    running = start_in_thread(SimConfig(devices=2, host=address, control_from_anywhere=True))
    try:
        assert requests.get(running.control_url + "/health", timeout=10).status_code == 200
    finally:
        running.stop()
