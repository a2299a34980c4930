"""Health polling against ropsim over real HTTP: what a poll stores, when polls happen,
how the sweep claims devices, and retention."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.request_budget import BudgetTimeout, _redis
from devices import polling
from devices.models import Device, DeviceHealthSample, Family
from devices.sync import sync_partner
from devices.tasks.polling import prune_health_samples as prune_task
from partners.rop_clients import rop_client_for
from rop import errors

from .poll_times import next_polls
from .simtools import control, go_offline, sim_uid


@pytest.fixture
def synced(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    return acme_on_sim


def device_for(sim, **filters) -> Device:
    return Device.objects.select_related("partner").get(uid=sim_uid(sim, **filters))


def make_all_due(partner, now):
    Device.objects.filter(partner=partner, online=True).update(next_poll_at=now - timedelta(seconds=1))


# --- one poll ------------------------------------------------------------------------------


def test_it_polls_battery_alarm_name_and_pir_and_stores_a_sample(sim, synced):
    device = device_for(sim, family="battery")
    control(sim, "PUT", f"/devices/{device.uid}/battery", json={"percent": 42, "chargeStatus": "charging"})
    simulated = control(sim, "GET", f"/devices/{device.uid}")
    polling.refresh_device(device)
    device.refresh_from_db()
    assert device.battery_percent == 42 and device.charge_status == "charging"
    assert device.display_name == simulated["name"]
    assert device.alarm_enabled == simulated["alarmEnabled"]
    assert (device.pir_enabled, device.pir_sensitivity, device.pir_reduce_mistakes) == (
        simulated["pir"]["enabled"],
        simulated["pir"]["sensitivity"],
        simulated["pir"]["reduceMistakes"],
    )
    assert device.poll_failures == 0 and device.last_poll_error == ""
    sample = DeviceHealthSample.objects.get(device=device)
    assert sample.online and sample.battery_percent == 42 and sample.charge_status == "charging"
    assert sample.alarm_enabled == device.alarm_enabled


def test_it_polls_a_powered_device_without_asking_for_a_battery(sim, synced):
    device = device_for(sim, family="powered")
    control(sim, "POST", "/counters/reset")
    polling.refresh_device(device)
    routes = control(sim, "GET", "/counters")
    assert not [route for route in routes if "battery" in route]
    sample = DeviceHealthSample.objects.get(device=device)
    assert sample.battery_percent is None


def test_it_never_asks_a_model_without_a_pir_sensor_for_pir_settings(sim, synced):
    device = device_for(sim, family="powered")  # Reolink's powered cameras have no PIR sensor
    control(sim, "POST", "/counters/reset")
    polling.refresh_device(device)
    routes = control(sim, "GET", "/counters")
    assert not [route for route in routes if "pir" in route]
    device.refresh_from_db()
    assert device.poll_failures == 0 and device.last_poll_error == ""


def test_it_marks_an_offline_device_offline_and_keeps_its_last_seen(sim, synced):
    device = device_for(sim, family="powered")
    seen = device.last_seen
    go_offline(sim, device.uid)
    with pytest.raises(errors.DeviceOffline):
        polling.refresh_device(device)
    device.refresh_from_db()
    assert device.online is False and device.last_seen == seen
    assert device.next_poll_at is None and device.last_poll_error == "device_offline"
    assert DeviceHealthSample.objects.get(device=device).online is False


def test_it_counts_a_failure_and_backs_off_when_a_device_times_out(sim, synced):
    device = device_for(sim, family="powered")
    control(
        sim,
        "POST",
        "/inject",
        json={"symbol": "cmd_timeout", "count": 1, "path": f"/v1.0/devices/{device.uid}/settings/alarm"},
    )
    before = timezone.now()
    with pytest.raises(errors.CommandTimeout):
        polling.refresh_device(device)
    device.refresh_from_db()
    assert device.online is True  # a timeout is not an absence
    assert device.poll_failures == 1 and device.last_poll_error == "cmd_timeout"
    interval = timedelta(seconds=synced.powered_poll_seconds)
    assert (
        device.next_poll_at is not None and device.next_poll_at > before + interval * 1.5
    )  # backed off beyond the usual interval
    polling.refresh_device(device)  # the next poll succeeds and clears the failure
    device.refresh_from_db()
    assert device.poll_failures == 0 and device.last_poll_error == ""


def test_it_takes_every_request_of_a_poll_from_the_partners_budget(sim, synced):
    synced.request_budget = 0.2  # one token, then one every five seconds
    synced.save()
    if (redis := _redis()) is not None:
        redis.delete(f"rop-budget:partner:{synced.id}")
    device = device_for(sim, family="battery")
    client = rop_client_for(synced, max_wait=0.5)
    with pytest.raises(BudgetTimeout):
        polling.refresh_device(device, client=client)
    device.refresh_from_db()
    # Not the device's fault: no failure counted, and it is tried again soon.
    assert device.poll_failures == 0 and device.last_poll_error == "budget_exhausted"
    assert device.next_poll_at is not None and device.next_poll_at < timezone.now() + timedelta(minutes=2)


# --- when polls happen -----------------------------------------------------------------------


def test_it_polls_battery_devices_far_less_often_than_powered_ones(sim, synced, clock):
    """Two simulated hours of sweeps every 15 s, each claimed device polled: how often
    is each family polled?"""
    claims: Counter[str] = Counter()
    families = dict(Device.objects.filter(partner=synced).values_list("id", "family"))
    for _ in range(0, 2 * 3600, 15):
        clock.advance(15)
        for device_id in polling.claim_due_devices(synced):
            claims[families[device_id]] += 1
            assert polling.poll_device(Device.objects.select_related("partner").get(pk=device_id))
    powered = sum(1 for f in families.values() if f == Family.POWERED)
    battery = len(families) - powered
    # Powered: every 300 s for two hours; battery: the first poll, then not for hours.
    assert claims[Family.POWERED] / powered >= 20
    assert claims[Family.BATTERY] / battery == 1


def test_it_schedules_the_next_poll_one_interval_away_with_jitter(sim, synced):
    powered, battery = device_for(sim, family="powered"), device_for(sim, family="battery")
    polling.refresh_device(powered)  # the first reads: test_first_read.py
    polling.refresh_device(battery)
    now = timezone.now()
    polling.refresh_device(powered)
    polling.refresh_device(battery)
    powered.refresh_from_db()
    battery.refresh_from_db()
    assert powered.next_poll_at is not None and battery.next_poll_at is not None
    assert timedelta(seconds=270) <= powered.next_poll_at - now <= timedelta(seconds=331)
    assert timedelta(hours=6 * 0.9) <= battery.next_poll_at - now <= timedelta(hours=6 * 1.1, seconds=1)


def test_it_spreads_polls_across_the_interval_not_in_a_burst(sim, synced):
    now = timezone.now()
    for device in Device.objects.select_related("partner"):
        polling.refresh_device(device)  # a fleet read all at once, as its first read is
    offsets = [(d - now).total_seconds() for d in next_polls(Device.objects.all())]
    assert max(offsets) - min(offsets) > 150  # next polls spread over the interval
    # Per 15 s sweep, only a handful of the 30 devices come due.
    per_sweep = Counter(int(offset // 15) for offset in offsets)
    assert max(per_sweep.values()) <= 6
    # And on a large fleet the hash spreads evenly: each fifth of the window gets ~a fifth.
    buckets = Counter(int(polling.spread_offset(f"UID{i:013d}", 3600).total_seconds() // 720) for i in range(5000))
    assert all(800 <= buckets[b] <= 1200 for b in range(5)), buckets


def test_it_plans_no_more_polls_per_sweep_than_the_budget_share_allows(sim, synced, settings):
    settings.POLL_BUDGET_SHARE, settings.POLL_SWEEP_SECONDS = 0.5, 15
    synced.request_budget = 2  # 2/s × 15 s × 0.5 = 15 requests = 3 polls of 4 calls
    synced.save()
    now = timezone.now()
    make_all_due(synced, now)
    assert len(polling.claim_due_devices(synced, now)) == 3


# --- claiming ---------------------------------------------------------------------------------


def test_it_never_claims_a_device_twice_in_two_sweeps_back_to_back(sim, synced):
    now = timezone.now()
    make_all_due(synced, now)
    first = polling.claim_due_devices(synced, now)
    second = polling.claim_due_devices(synced, now)
    assert len(first) == 30 and second == []
    assert not Device.objects.filter(partner=synced, next_poll_at__lte=now).exists()


def test_it_does_not_claim_offline_devices(sim, synced):
    now = timezone.now()
    make_all_due(synced, now)
    offline = device_for(sim, family="powered")
    Device.objects.filter(pk=offline.pk).update(online=False)
    assert offline.pk not in polling.claim_due_devices(synced, now)


@pytest.mark.django_db(transaction=True)
def test_it_splits_the_due_devices_between_concurrent_sweeps_without_overlap(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    now = timezone.now()
    make_all_due(acme_on_sim, now)
    barrier, results = threading.Barrier(2), {}

    def sweeper(name):
        try:
            barrier.wait(timeout=10)
            results[name] = polling.claim_due_devices(acme_on_sim, now)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not set(results["a"]) & set(results["b"])
    assert len(results["a"]) + len(results["b"]) == 30


# --- one bad device never holds up the others ------------------------------------------------


def test_it_keeps_polling_the_others_past_an_offline_and_a_timing_out_device(sim, synced):
    now = timezone.now()
    make_all_due(synced, now)
    offline, slow = device_for(sim, model="RLC-810A"), device_for(sim, model="E1 Zoom")
    go_offline(sim, offline.uid)
    control(
        sim,
        "POST",
        "/inject",
        json={"symbol": "cmd_timeout", "count": 5, "path": f"/v1.0/devices/{slow.uid}/settings/alarm"},
    )
    claimed = polling.claim_due_devices(synced, now)
    results = {
        device.uid: polling.poll_device(device)
        for device in Device.objects.select_related("partner").filter(id__in=claimed)
    }
    assert results.pop(offline.uid) is False and results.pop(slow.uid) is False
    assert all(results.values()) and len(results) == 28
    offline.refresh_from_db()
    slow.refresh_from_db()
    assert offline.online is False and slow.poll_failures == 1
    assert DeviceHealthSample.objects.filter(device__partner=synced, online=True).count() == 28


# --- retention -----------------------------------------------------------------------------------


def test_it_prunes_health_samples_past_each_partners_retention(acme_camera, bolt_camera):
    acme, bolt = acme_camera.partner, bolt_camera.partner
    acme.health_retention_days, bolt.health_retention_days = 7, 30
    acme.save()
    bolt.save()
    now = timezone.now()
    for device in (acme_camera, bolt_camera):
        for days in (1, 10, 40):
            DeviceHealthSample.objects.create(device=device, taken_at=now - timedelta(days=days), online=True)
    prune_task()  # the periodic task, run in-process
    kept = Counter(
        (s.device_id, round((now - s.taken_at).total_seconds() / 86400)) for s in DeviceHealthSample.objects.all()
    )
    assert set(kept) == {(acme_camera.id, 1), (bolt_camera.id, 1), (bolt_camera.id, 10)}


def test_it_prunes_a_backlog_in_batches(acme_camera, settings):
    old = timezone.now() - timedelta(days=400)
    DeviceHealthSample.objects.bulk_create(
        DeviceHealthSample(device=acme_camera, taken_at=old, online=True) for _ in range(polling.PRUNE_BATCH + 7)
    )
    assert polling.prune_health_samples(acme_camera.partner) == polling.PRUNE_BATCH + 7
    assert not DeviceHealthSample.objects.exists()


def test_it_brings_far_off_polls_within_a_shortened_interval(sim, synced, client_of, alice):
    now = timezone.now()
    Device.objects.filter(partner=synced, family=Family.BATTERY).update(next_poll_at=now + timedelta(hours=5))
    failing = device_for(sim, family="battery")
    Device.objects.filter(pk=failing.pk).update(poll_failures=3)  # its backoff stands
    data = {
        "name": synced.name,
        "rop_base_url": synced.rop_base_url,
        "gateway_auth_header": "Authorization",
        "request_budget": "500",
        "powered_poll_seconds": "300",
        "battery_poll_seconds": "3600",
        "health_retention_days": "30",
    }
    assert client_of(alice).post(reverse("partner_settings", kwargs={"slug": synced.slug}), data).status_code == 302
    batteries = Device.objects.filter(partner=synced, family=Family.BATTERY).exclude(pk=failing.pk)
    assert all(at <= now + timedelta(hours=1, seconds=5) for at in next_polls(batteries))
    assert next_polls(Device.objects.filter(pk=failing.pk))[0] >= now + timedelta(hours=5)
