"""rop.lan.aio.AsyncLanClient against ropsim's LAN emulator over real HTTP and HTTPS.

Nothing is mocked: the emulator runs on a background thread (LanThread), each test
drives the client in its own event loop (asyncio.run). The token lease and the login
backoff use the fleet's clock on both sides, advanced instead of slept."""

from __future__ import annotations

import asyncio
import math
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from rop.addresses import AddressPolicy
from rop.errors import AddressRefused
from rop.lan import CertificateChanged, LanAuthFailed, LanTimeout, LanUnreachable
from rop.lan.aio import AsyncLanClient
from ropsim.fleet import Fleet, SimDevice
from ropsim.lan import DEMO_PASSWORD, LanOptions
from ropsim.lan.state import DeviceLanState
from ropsim.lan.testing import LanThread

LOOPBACK = AddressPolicy.for_lan(allow_loopback=True)


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=12)


@pytest.fixture
def devs(fleet: Fleet) -> dict[str, SimDevice]:
    return {
        "cam": fleet.create_device("RLC-823A"),
        "nvr": fleet.create_device("NVR RLN8-410"),
        "noai": fleet.create_device("Argus PT"),
    }


@pytest.fixture
def lan(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, options=LanOptions(reboot_seconds=60)) as running:
        yield running


@pytest.fixture
def lan_https(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, https=True) as running:
        yield running


def client_for(lan: LanThread, dev: SimDevice, fleet: Fleet, **kwargs: Any) -> AsyncLanClient:
    ep = lan.endpoint(dev.uid)
    args: dict[str, Any] = {"password": DEMO_PASSWORD, "timeout": 5.0, "address_policy": LOOPBACK}
    args.update(kwargs)
    return AsyncLanClient(ep.host, ep.port, ep.scheme, clock=fleet.clock.now, **args)


def run(client: AsyncLanClient, body: Callable[[AsyncLanClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with client:
            return await body(client)

    return asyncio.run(main())


def count(state: DeviceLanState, name: str) -> int:
    return sum(1 for seen in state.commands_seen if seen == name)


def test_it_reads_every_channels_motion_and_ai_in_one_request(lan, fleet, devs) -> None:
    nvr = devs["nvr"]
    state = lan.state(nvr.uid)
    fleet.raise_alarm(nvr.uid, 2, "MD", ["people"])

    async def body(client: AsyncLanClient) -> Any:
        await client.login()
        before = state.requests_seen
        states = await client.states(range(8))
        return states, state.requests_seen - before

    states, requests = run(client_for(lan, nvr, fleet), body)
    assert requests == 1
    assert [s.channel for s in states] == list(range(8))
    assert (states[2].motion, states[2].ai and states[2].ai["people"]) == (True, True)
    assert (states[3].motion, states[3].ai and states[3].ai["people"]) == (False, False)


def test_it_answers_no_ai_on_a_device_without_ai_instead_of_failing(lan, fleet, devs) -> None:
    states = run(client_for(lan, devs["noai"], fleet), lambda c: c.states())
    assert [(s.channel, s.motion, s.ai) for s in states] == [(0, False, None)]


def test_it_logs_in_once_refreshes_60_s_before_the_lease_ends_and_logs_out_on_close(lan, fleet, devs) -> None:
    state = lan.state(devs["cam"].uid)

    async def body(client: AsyncLanClient) -> None:
        await client.states([0])
        await client.states([0])
        assert count(state, "Login") == 1
        fleet.clock.advance(3600 - 61)
        await client.states([0])
        assert count(state, "Login") == 1
        fleet.clock.advance(2)  # inside the lease's last 60 s
        await client.states([0])
        assert count(state, "Login") == 2 and len(state.sessions) == 1  # the old token logged out

    run(client_for(lan, devs["cam"], fleet), body)
    assert len(state.sessions) == 0 and count(state, "Logout") == 2


def test_it_logs_in_again_once_when_the_device_forgot_its_token(lan, fleet, devs) -> None:
    state = lan.state(devs["cam"].uid)

    async def body(client: AsyncLanClient) -> list[Any]:
        await client.states([0])
        state.sessions.clear()  # as after a reboot or a power cut
        return await client.states([0])

    assert run(client_for(lan, devs["cam"], fleet), body)[0].channel == 0
    assert count(state, "Login") == 2


def test_it_backs_off_after_a_failed_login_and_never_locks_the_device(lan, fleet, devs) -> None:
    state = lan.state(devs["cam"].uid)

    async def body(client: AsyncLanClient) -> None:
        with pytest.raises(LanAuthFailed) as first:
            await client.states([0])
        assert first.value.retry_after == 30
        for _ in range(5):  # a poll loop calling again does not reach the device
            with pytest.raises(LanAuthFailed):
                await client.states([0])
        assert count(state, "Login") == 1
        fleet.clock.advance(31)
        with pytest.raises(LanAuthFailed):
            await client.states([0])
        fleet.clock.advance(61)
        with pytest.raises(LanAuthFailed) as third:
            await client.states([0])
        assert math.isinf(third.value.retry_after)
        fleet.clock.advance(10_000)
        with pytest.raises(LanAuthFailed):
            await client.states([0])

    run(client_for(lan, devs["cam"], fleet, password="wrong"), body)
    assert count(state, "Login") == 3 and state.guard.remaining() == 0


def test_it_pins_https_to_the_stored_fingerprint_and_refuses_a_new_certificate(lan_https, fleet, devs) -> None:
    dev = devs["cam"]
    pin = lan_https.endpoint(dev.uid).cert_sha256
    assert run(client_for(lan_https, dev, fleet, pinned_sha256=pin), lambda c: c.states([0]))[0].motion is False
    new = lan_https.rotate_certificate(dev.uid)
    with pytest.raises(CertificateChanged) as changed:
        run(client_for(lan_https, dev, fleet, pinned_sha256=pin), lambda c: c.states([0]))
    assert (changed.value.expected, changed.value.actual) == (pin, new)
    assert count(lan_https.state(dev.uid), "Login") == 1  # the password never went to the new certificate


def test_it_trusts_on_first_use_without_a_stored_fingerprint(lan_https, fleet, devs) -> None:
    dev = devs["cam"]
    client = client_for(lan_https, dev, fleet)
    run(client, lambda c: c.states([0]))
    assert client.certificate_sha256 == lan_https.endpoint(dev.uid).cert_sha256


def test_it_connects_only_to_addresses_the_policy_allows(lan, fleet, devs) -> None:
    ep = lan.endpoint(devs["cam"].uid)
    state = lan.state(devs["cam"].uid)
    with pytest.raises(AddressRefused):  # loopback without allow_loopback
        run(AsyncLanClient(ep.host, ep.port, password=DEMO_PASSWORD), lambda c: c.states([0]))
    to_loopback = AddressPolicy.for_lan(resolver=lambda host, port: ["127.0.0.1"])
    with pytest.raises(AddressRefused):  # a name resolving to loopback
        run(AsyncLanClient("cam.example", ep.port, address_policy=to_loopback), lambda c: c.states([0]))
    assert state.requests_seen == 0
    allowed = AddressPolicy.for_lan(allow_loopback=True, resolver=lambda host, port: ["127.0.0.1"])
    named = AsyncLanClient("cam.example", ep.port, password=DEMO_PASSWORD, address_policy=allowed)
    assert run(named, lambda c: c.states([0]))[0].channel == 0


def test_it_reports_offline_and_silent_devices_within_the_timeout(lan, fleet, devs) -> None:
    fleet.set_offline(devs["cam"].uid)
    with pytest.raises(LanUnreachable):
        run(client_for(lan, devs["cam"], fleet), lambda c: c.states([0]))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP connection, never answers
        silent = AsyncLanClient("127.0.0.1", listener.getsockname()[1], timeout=0.3, address_policy=LOOPBACK)
        with pytest.raises(LanTimeout):
            run(silent, lambda c: c.states([0]))
