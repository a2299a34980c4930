"""The first read: a freshly synced fleet is read within a few sweeps, inside the
partner's request budget share, battery cameras once; only later polls spread over the
interval. Against ropsim over real HTTP, the console's clock advanced, not slept."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse

from devices import polling, selectors
from devices.models import Device, Family
from devices.sync import sync_partner

from .poll_times import next_polls
from .simtools import control, go_offline, go_online, sim_uid

SWEEP = 15


@pytest.fixture
def paced(acme_on_sim, settings):
    """A budget share of 7 polls per sweep: the 30 simulated devices take 5 sweeps."""
    settings.POLL_SWEEP_SECONDS = SWEEP
    settings.POLL_BUDGET_SHARE = 7 * polling.CALLS_PER_POLL / (acme_on_sim.request_budget * SWEEP)
    assert polling.polls_per_sweep(acme_on_sim) == 7
    return acme_on_sim


def sweep(partner) -> list[int]:
    """One beat sweep with its poll tasks run inline (the tasks only call poll_device)."""
    claimed = polling.claim_due_devices(partner)
    for device in Device.objects.select_related("partner").filter(id__in=claimed):
        assert polling.poll_device(device)
    return claimed


def test_it_reads_a_fresh_fleet_within_a_few_sweeps_and_battery_cameras_once(sim, paced, clock):
    sync_partner(paced)
    families = dict(Device.objects.filter(partner=paced).values_list("id", "family"))
    reads: Counter[int] = Counter()
    sweeps_until_read = None
    for n in range(1, 4 * 60 * 60 // SWEEP + 1):  # four hours of sweeps
        clock.advance(SWEEP)
        claimed = sweep(paced)
        assert len(claimed) <= polling.polls_per_sweep(paced)  # inside the budget share
        reads.update(claimed)
        if sweeps_until_read is None and not Device.objects.filter(polling.never_read()).exists():
            sweeps_until_read = n
    assert sweeps_until_read == 5  # 30 devices, 7 a sweep: read within 75 s, not hours
    assert set(reads) == set(families)
    every = {device.uid: device for device in Device.objects.filter(partner=paced)}
    assert all(d.display_name and d.alarm_enabled is not None for d in every.values())
    assert all(d.battery_percent is not None for d in every.values() if d.family == Family.BATTERY)
    # Battery cameras: the first read, then not again for at least half their interval.
    battery = [pk for pk, family in families.items() if family == Family.BATTERY]
    assert battery and all(reads[pk] == 1 for pk in battery)
    # Powered devices go on at their interval (300 s) over the four hours.
    assert all(reads[pk] >= 40 for pk, family in families.items() if family == Family.POWERED)


def test_it_spreads_polls_over_the_interval_after_the_first_read(sim, acme_on_sim, clock):
    sync_partner(acme_on_sim)
    read_at = clock.advance(SWEEP)
    assert len(sweep(acme_on_sim)) == 30  # the whole fleet at once within a generous budget
    for family, interval in ((Family.POWERED, 300), (Family.BATTERY, 6 * 3600)):
        offsets = [(at - read_at).total_seconds() for at in next_polls(Device.objects.filter(family=family))]
        assert all(interval / 2 <= offset < interval * 1.5 for offset in offsets)
        assert max(offsets) - min(offsets) > interval / 3  # spread, not in step
    # A sweep's worth of time never holds more than a handful of the powered polls.
    per_sweep = Counter(int(at.timestamp() // SWEEP) for at in next_polls(Device.objects.all()))
    assert max(per_sweep.values()) <= 6


def test_it_claims_a_lost_first_read_again_within_minutes(sim, acme_on_sim, clock):
    sync_partner(acme_on_sim)
    battery = Device.objects.get(uid=sim_uid(sim, family="battery"))
    clock.advance(SWEEP)
    assert battery.pk in polling.claim_due_devices(acme_on_sim)  # ...and its task is lost
    clock.advance(polling.FIRST_POLL_WINDOW_SECONDS + 1)
    assert battery.pk in polling.claim_due_devices(acme_on_sim)


def test_it_retries_a_failed_first_read_within_minutes(sim, acme_on_sim, clock):
    sync_partner(acme_on_sim)
    battery = Device.objects.select_related("partner").get(uid=sim_uid(sim, family="battery"))
    # The camera sleeps and does not wake: 400 wake_up_timeout.
    control(sim, "PUT", "/faults", json={"wake_failure_rate": 1.0})
    control(sim, "POST", f"/devices/{battery.uid}/sleep")
    assert not polling.poll_device(battery)
    battery.refresh_from_db()
    assert battery.poll_failures == 1 and battery.alarm_enabled is None
    # Backed off from the first-read window (5 min), not from the 6 h battery interval.
    assert battery.next_poll_at - clock.now <= timedelta(seconds=2 * 300 * 1.1 + 1)


def test_it_makes_a_device_that_left_before_its_first_read_due_when_it_returns(sim, acme_on_sim, clock):
    uid = sim_uid(sim, family="battery")
    sync_partner(acme_on_sim)
    go_offline(sim, uid)
    sync_partner(acme_on_sim)
    go_online(sim, uid)
    returned_at = clock.advance(60)
    sync_partner(acme_on_sim)
    assert Device.objects.get(uid=uid).next_poll_at == returned_at


def test_it_shows_on_the_overview_how_much_of_the_fleet_has_been_read(sim, paced, clock, client_of, alice):
    url = reverse("overview", args=[paced.slug])
    sync_partner(paced)
    assert selectors.first_read_progress(paced) == {"read": 0, "total": 30}
    page = client_of(alice).get(url).content.decode()
    assert "0 of 30 devices read" in page
    clock.advance(SWEEP)
    sweep(paced)
    assert selectors.first_read_progress(paced) == {"read": 7, "total": 30}
    assert "7 of 30 devices read" in client_of(alice).get(url).content.decode()
    for _ in range(4):
        clock.advance(SWEEP)
        sweep(paced)
    # Once every online device is read, the figure goes away.
    assert selectors.first_read_progress(paced) is None
    assert "devices read" not in client_of(alice).get(url).content.decode()
