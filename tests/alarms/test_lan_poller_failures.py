"""The LAN poller keeps every other device on time while one reboots and another never
answers: ropsim's LAN cameras and a listening socket that never replies, real HTTP."""

import socket
import time

import pytest

from devices.models import Device
from rop.lan import LanClient
from ropsim.lan import DEMO_PASSWORD
from tests.devices.simtools import wait_for

from .lan_poller_tools import LOOPBACK, PollerThread, commands, lan_device, lan_requests

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_polling_others_on_time_past_a_rebooting_device_and_a_silent_one(acme, fleet, lan_of):
    steady, rebooting = fleet.create_device("RLC-810A"), fleet.create_device("RLC-823A")
    lan = lan_of()
    steady_row = lan_device(acme, lan, steady)
    rebooting_row = lan_device(acme, lan, rebooting)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel accepts the connections; nothing ever answers
        silent_row = Device.objects.create(
            partner=acme,
            uid="SILENT0000000001",
            transport="lan",
            online=True,
            lan_host="127.0.0.1",
            lan_port=silent.getsockname()[1],
            lan_username="admin",
            lan_password="x",
            lan_status_interval_ms=2000,
            lan_timeout_ms=1500,
        )
        with PollerThread():
            wait_for(lambda: commands(lan, rebooting.uid, "GetMdState") >= 1, what="the first poll")
            ep = lan.endpoint(rebooting.uid)
            with LanClient(ep.host, ep.port, password=DEMO_PASSWORD, address_policy=LOOPBACK) as other:
                other.reboot()  # off the LAN for 2 s, every token dropped
            wait_for(lambda: commands(lan, steady.uid, "GetMdState") >= 1, what="the steady device's first poll")
            before = lan_requests(lan, steady.uid)
            started = time.monotonic()
            time.sleep(8.2)
            steady_polls = lan_requests(lan, steady.uid) - before
            wait_for(
                lambda: Device.objects.filter(id=silent_row.id, online=False).exists(),
                what="the silent device shown offline",
            )
            wait_for(
                lambda: commands(lan, rebooting.uid, "Login") >= 2, what="a new login after the reboot", timeout=15
            )
            logins_after_reboot = commands(lan, rebooting.uid, "Login")
            polls = commands(lan, rebooting.uid, "GetMdState")
            wait_for(lambda: commands(lan, rebooting.uid, "GetMdState") >= polls + 2, what="polls after the reboot")
            elapsed = time.monotonic() - started
    # Every 2 s over 8.2 s, never held up by the silent device's 1.5 s timeouts.
    assert 4 <= steady_polls <= 5, (steady_polls, elapsed)
    assert commands(lan, rebooting.uid, "Login") == logins_after_reboot  # one login after it, not one per poll
    silent_row.refresh_from_db()
    rebooting_row.refresh_from_db()
    steady_row.refresh_from_db()
    assert (silent_row.online, silent_row.last_poll_error) == (False, "lan_timeout")
    assert (rebooting_row.online, steady_row.online) == (True, True)


def test_it_pins_https_on_first_use_and_stops_at_a_changed_certificate(acme, fleet, lan_of):
    first_use, pinned = fleet.create_device("RLC-810A"), fleet.create_device("RLC-810A")
    lan = lan_of(https=True)
    fresh = lan_device(acme, lan, first_use, lan_cert_sha256="")
    known = lan_device(acme, lan, pinned)
    with PollerThread():
        wait_for(lambda: Device.objects.filter(id=fresh.id).exclude(lan_cert_sha256="").exists(), what="the pin stored")
        wait_for(lambda: commands(lan, pinned.uid, "GetMdState") >= 1, what="the pinned device's poll")
        lan.rotate_certificate(pinned.uid)  # a reset camera, or someone else at its address
        wait_for(
            lambda: Device.objects.filter(id=known.id, last_poll_error="certificate_changed").exists(),
            what="the changed certificate reported",
        )
        polls = commands(lan, pinned.uid, "GetMdState")
        time.sleep(4.5)  # two intervals
        assert commands(lan, pinned.uid, "GetMdState") == polls  # nothing sent to the new certificate
    fresh.refresh_from_db()
    known.refresh_from_db()
    assert fresh.lan_cert_sha256 == lan.endpoint(first_use.uid).cert_sha256
    assert (known.online, fresh.online) == (False, True)


def test_it_skips_a_device_whose_stored_settings_cannot_be_used_and_polls_the_others(acme, fleet, lan_of):
    good, bad = fleet.create_device("RLC-810A"), fleet.create_device("RLC-810A")
    lan = lan_of()
    lan_device(acme, lan, good)
    broken = lan_device(acme, lan, bad, lan_port=70000)  # no form saves this; the poller must not choke
    with PollerThread():
        wait_for(lambda: commands(lan, good.uid, "GetMdState") >= 2, what="the good device's polls")
        wait_for(
            lambda: Device.objects.filter(id=broken.id, last_poll_error="lan_settings_invalid").exists(),
            what="the broken device reported",
        )
        Device.objects.filter(id=broken.id).update(lan_port=lan.endpoint(bad.uid).port)  # fixed
        wait_for(lambda: commands(lan, bad.uid, "GetMdState") >= 1, what="the fixed device polled")
    broken.refresh_from_db()
    assert broken.online and broken.last_poll_error == ""
