"""The LAN poller follows the database: new devices, changed intervals and connection
settings within a few seconds; and it logs a health line on schedule."""

import logging
import time
from dataclasses import replace

import pytest

from devices.models import Device
from tests.devices.simtools import wait_for

from .lan_poller_tools import FAST, PollerThread, commands, lan_device

pytestmark = pytest.mark.django_db(transaction=True)


def poll_times(lan, uid: str) -> list[float]:
    return [t for t, cmd in list(lan.state(uid).request_times) if cmd == "GetMdState"]


def test_it_picks_up_new_devices_and_changed_settings_within_seconds(acme, fleet, lan_of):
    first, second = fleet.create_device("RLC-810A"), fleet.create_device("RLC-810A")
    lan = lan_of()
    row = lan_device(acme, lan, first)
    with PollerThread():
        wait_for(lambda: commands(lan, first.uid, "GetMdState") >= 1, what="the first device's poll")
        added = time.monotonic()
        lan_device(acme, lan, second)
        wait_for(lambda: commands(lan, second.uid, "GetMdState") >= 1, what="the new device's poll")
        picked_up = time.monotonic() - added
        Device.objects.filter(id=row.id).update(lan_status_interval_ms=4000)
        changed = time.monotonic()
        time.sleep(1.0 + 4.0 * 2 + 0.5)  # a refresh, then at least two polls at the new interval
        recent = [t for t in poll_times(lan, first.uid) if t > changed + 1.5]
        Device.objects.filter(id=row.id).update(lan_password="wrong")  # a connection setting: a new session
        logins = commands(lan, first.uid, "Login")
        wait_for(lambda: commands(lan, first.uid, "Login") > logins, what="a login with the new password")
    assert picked_up < 2.0 + FAST.refresh_seconds + 1.0  # a refresh, then at most one interval's spread
    gaps = [b - a for a, b in zip(recent, recent[1:], strict=False)]
    assert gaps and all(3.5 <= gap <= 4.5 for gap in gaps), gaps
    row.refresh_from_db()
    assert row.last_poll_error == "lan_auth_failed" and not row.online


def test_it_logs_a_health_line_with_devices_polls_and_errors(acme, fleet, lan_of, caplog):
    cam = fleet.create_device("RLC-810A")
    lan = lan_of()
    lan_device(acme, lan, cam)
    caplog.set_level(logging.INFO, logger="alarms.lan_poller")
    with PollerThread(replace(FAST, health_seconds=3.0), "healthy"):
        wait_for(lambda: any("polls and" in r.getMessage() for r in caplog.records), what="a health line", timeout=10)
    line = next(r.getMessage() for r in caplog.records if "polls and" in r.getMessage())
    assert line.startswith("LAN poller healthy: 1 devices owned, ") and "errors in the last 3 s" in line
