"""Fixtures of the LAN poller tests (the other alarm tests need none)."""

from collections.abc import Callable, Iterator

import pytest

from ropsim.fleet import Fleet
from ropsim.lan import LanOptions
from ropsim.lan.testing import LanThread


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=23)


@pytest.fixture
def lan_of(fleet: Fleet) -> Iterator[Callable[..., LanThread]]:
    """Start ropsim's LAN emulator on the fleet's devices: lan_of(**start_lan_servers kwargs)."""
    running: list[LanThread] = []

    def start(**kwargs: object) -> LanThread:
        kwargs.setdefault("options", LanOptions(alarm_hold_seconds=3600, reboot_seconds=2))
        lan = LanThread(fleet, **kwargs).start()
        running.append(lan)
        return lan

    yield start
    for lan in running:
        lan.stop()
