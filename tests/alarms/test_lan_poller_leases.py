"""Several LAN pollers share the devices through leases: never one device polled twice,
a dead poller's devices taken over when its leases end, SIGTERM releasing them at once.
ropsim's LAN cameras over real HTTP; pollers on threads and in other processes."""

import signal
import time
from dataclasses import replace

import pytest

from devices.models import Device
from tests.devices.simtools import wait_for

from .lan_poller_tools import FAST, PollerThread, commands, lan_device, lan_requests, poller_process

pytestmark = pytest.mark.django_db(transaction=True)


def owners() -> dict[str, str]:
    return dict(Device.objects.values_list("uid", "lan_poller"))


def test_it_shares_devices_between_two_pollers_without_polling_one_twice(acme, fleet, lan_of):
    cams = [fleet.create_device("RLC-810A") for _ in range(6)]
    lan = lan_of()
    for cam in cams:
        lan_device(acme, lan, cam)
    few = replace(FAST, claim_batch=3)  # each poller claims 3 a round: started together, they share
    with PollerThread(few, "poller-a"), PollerThread(few, "poller-b"):
        wait_for(lambda: all(owners().values()), what="every device leased")
        time.sleep(2.5)  # past the first polls (spread over one interval) and their logins
        before = {cam.uid: lan_requests(lan, cam.uid) for cam in cams}
        time.sleep(8.2)
        polls = {cam.uid: lan_requests(lan, cam.uid) - before[cam.uid] for cam in cams}
        held = owners()
    assert set(held.values()) == {"poller-a", "poller-b"}
    assert all(4 <= n <= 5 for n in polls.values()), polls  # every 2 s: one poller each
    assert all(commands(lan, cam.uid, "Login") == 1 for cam in cams)  # one session per device
    assert set(owners().values()) == {""}  # both stopped and released


def test_it_gives_a_poller_started_later_its_share_of_the_devices(acme, fleet, lan_of):
    cams = [fleet.create_device("RLC-810A") for _ in range(6)]
    lan = lan_of()
    for cam in cams:
        lan_device(acme, lan, cam)
    with PollerThread(ident="first"):
        wait_for(lambda: set(owners().values()) == {"first"}, what="the first poller owning all")
        wait_for(lambda: all(commands(lan, c.uid, "GetMdState") for c in cams), what="its first polls")
        with PollerThread(ident="second"):
            wait_for(
                lambda: sorted(owners().values()) == ["first"] * 3 + ["second"] * 3,
                what="three devices each",
                timeout=15,
            )
            moved = [uid for uid, poller in owners().items() if poller == "second"]
            counts = {uid: commands(lan, uid, "GetMdState") for uid in moved}
            wait_for(
                lambda: all(commands(lan, u, "GetMdState") > counts[u] for u in moved), what="moved devices polled"
            )
            # The first poller logged out of what it gave away; one session per device remains.
            wait_for(lambda: all(commands(lan, u, "Logout") == 1 for u in moved), what="the hand-over's logouts")
            assert all(len(lan.state(c.uid).sessions) == 1 for c in cams)
        # The second one stopped: the first one's share is every device again.
        wait_for(lambda: set(owners().values()) == {"first"}, what="the first poller taking all back")
    assert set(owners().values()) == {""}


def test_it_takes_over_the_devices_of_a_poller_that_died_once_its_leases_end(acme, fleet, lan_of):
    cams = [fleet.create_device("RLC-810A") for _ in range(3)]
    lan = lan_of()
    for cam in cams:
        lan_device(acme, lan, cam)
    with poller_process("--lease-seconds=4", "--refresh-seconds=0.5") as dead:
        wait_for(lambda: all(owners().values()), what="the first poller's leases", timeout=30)
        wait_for(lambda: all(lan_requests(lan, c.uid) for c in cams), what="its first polls", timeout=15)
        dead.kill()  # SIGKILL: no chance to release anything
        dead.wait(10)
    first = set(owners().values())
    killed_at = time.monotonic()
    with PollerThread(ident="survivor"):
        wait_for(lambda: set(owners().values()) == {"survivor"}, what="the takeover", timeout=15)
        taken_after = time.monotonic() - killed_at
        counts = {c.uid: commands(lan, c.uid, "GetMdState") for c in cams}
        wait_for(lambda: all(commands(lan, c.uid, "GetMdState") > counts[c.uid] for c in cams), what="polls resumed")
    assert len(first) == 1 and "survivor" not in first
    assert 3 <= taken_after <= 12  # not before the dead poller's lease ended


def test_it_logs_out_and_releases_its_leases_on_sigterm(acme, fleet, lan_of):
    cams = [fleet.create_device("RLC-810A") for _ in range(3)]
    lan = lan_of()
    for cam in cams:
        lan_device(acme, lan, cam)
    with poller_process("--lease-seconds=30") as poller:
        wait_for(lambda: all(commands(lan, c.uid, "GetMdState") for c in cams), what="first polls", timeout=30)
        poller.send_signal(signal.SIGTERM)
        output, _ = poller.communicate(timeout=20)
    assert poller.returncode == 0, output
    assert set(owners().values()) == {""}
    assert Device.objects.filter(lan_lease_until__isnull=False).count() == 0
    assert all(commands(lan, c.uid, "Logout") == 1 for c in cams)
    assert all(len(lan.state(c.uid).sessions) == 0 for c in cams)
    assert "3 leases released" in output
