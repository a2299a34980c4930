"""A rollout of 1,000 cameras against ropsim over real HTTP, the engine run
in-process: offline and unwakeable cameras, sleeping ones, low batteries (known to
the console, or answered by the device), upgrades that fail (out of memory, an image
the device rejects, an unknown error), devices already on the version and the Core
Server's session limit; every device ends with the right result, and ropsim's own
records show no device given a second session. ropsim's upgrades take 1.5 s."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from devices.models import Device
from firmware.models import Rollout
from jobs.models import ItemState, JobItem, JobState
from ropsim.testing import SimConfig, start_in_thread
from tests.devices.fleet_rows import rows_from_sim

from .rollouts import MODEL, NEW_VERSION, drive, library_image, results, sim_control, sim_sessions, start

SIZE = 1000
SESSION_LIMIT = 25
# What happens to every 50th device, by its index modulo 50; the rest upgrade.
OFFLINE, UNWAKEABLE, ASLEEP, KNOWN_LOW, ANSWERS_LOW, FAILS, ALREADY_THERE, REJECTS, UNKNOWN = range(1, 10)
# The failures the device answers, forced through ropsim's control API.
FORCED = {FAILS: "out_of_memory", REJECTS: "file_check_failed", UNKNOWN: "unknown_error"}
EXPECTED = {
    OFFLINE: "skipped",
    UNWAKEABLE: "skipped",
    ASLEEP: "succeeded",
    KNOWN_LOW: "deferred",
    ANSWERS_LOW: "deferred",
    FAILS: "failed",
    ALREADY_THERE: "same_version",
    REJECTS: "failed",
    UNKNOWN: "failed",
}


@pytest.fixture
def big_sim():
    config = SimConfig(devices=0, seed=11, token="sim-token", upgrade_seconds=1.5, upgrade_session_limit=SESSION_LIMIT)
    with start_in_thread(config) as running:
        for i in range(SIZE):
            dev = running.call(running.sim.fleet.create_device, MODEL, f"95270000FLT{i:05d}")
            running.call(dev.set_battery, running.sim.now(), 90.0)
        yield running


def expected(index: int) -> str:
    return EXPECTED.get(index % 50, "succeeded")


def test_it_rolls_out_to_a_fleet_with_the_right_result_for_every_device(engine, big_sim, acme, olga, settings):
    # Unreachable and low-battery devices are retried until the deadline: on a slower
    # clock than the engine fixture's, so that 1,000 devices do not spend the run on them.
    settings.ROLLOUT_RETRY_SECONDS, settings.ROLLOUT_DEFER_SECONDS = 3, 10
    acme.rop_base_url, acme.gateway_token, acme.request_budget = big_sim.base_url, "sim-token", 1000
    acme.save()
    rows = rows_from_sim(big_sim, acme)
    uids = [row.uid for row in rows]
    for index, uid in enumerate(uids):
        kind = index % 50
        if kind == OFFLINE:
            sim_control(big_sim, "POST", f"/devices/{uid}/offline")
        elif kind == UNWAKEABLE:
            sim_control(big_sim, "PUT", f"/devices/{uid}/behaviour", {"wakeFailureRate": 1.0})
            sim_control(big_sim, "POST", f"/devices/{uid}/sleep")
        elif kind == ASLEEP:
            sim_control(big_sim, "POST", f"/devices/{uid}/sleep")
        elif kind == KNOWN_LOW:
            Device.objects.filter(partner=acme, uid=uid).update(battery_percent=8)
        elif kind == ANSWERS_LOW:
            sim_control(big_sim, "PUT", f"/devices/{uid}/battery", {"percent": 9})
        elif kind in FORCED:
            sim_control(big_sim, "PUT", f"/devices/{uid}/upgrade-outcome", {"outcome": FORCED[kind]})
        elif kind == ALREADY_THERE:
            big_sim.sim.fleet.devices[uid].firmware = NEW_VERSION  # the console has not seen it yet
    image = library_image(acme)
    # Failure rules loose enough to let every planned failure happen (tests/firmware/
    # test_rollouts.py covers the pause); the in-flight cap above the Core Server's.
    rollout = start(
        acme,
        olga,
        image,
        max_in_flight=2 * SESSION_LIMIT,
        deadline=timezone.now() + timedelta(minutes=10),
        file_check_limit=SIZE,
        max_failure_percent=100,
    )
    settled = sum(1 for i in range(SIZE) if expected(i) in ("succeeded", "same_version", "failed"))
    drive(
        rollout,
        until=lambda job: JobItem.objects.filter(job=job, state=ItemState.DONE).count() >= settled,
        timeout=240,
    )
    # The rest keep being retried; time passes to the deadline.
    Rollout.objects.filter(id=rollout.id).update(deadline=timezone.now())
    job = drive(rollout, timeout=60)

    assert job.state == JobState.DONE
    got = results(rollout)
    assert {uid: got[uid] for uid in uids} == {uid: expected(i) for i, uid in enumerate(uids)}
    # Each failure keeps the device's own answer, which the failure rules count by.
    reasons = {Device.objects.get(id=i.target_id).uid: i.data.get("reason") for i in JobItem.objects.filter(job=job)}
    for index, uid in enumerate(uids):
        if index % 50 in FORCED:
            assert reasons[uid] == FORCED[index % 50], uid
    # The session limit lowered the devices in flight; no device failed for it.
    assert job.max_in_flight is not None and job.max_in_flight <= SESSION_LIMIT
    # ropsim's records: sessions per device are what the rollout counted, and only a
    # device whose upgrade answered low_battery (retried later) ever had a second.
    sessions = sim_sessions(big_sim)
    items = {Device.objects.get(id=i.target_id).uid: i for i in JobItem.objects.filter(job=job)}
    for index, uid in enumerate(uids):
        assert sessions[uid] == items[uid].data.get("sessions", 0), uid
        if index % 50 != ANSWERS_LOW:
            assert sessions[uid] <= 1, uid
    assert all(
        dev.firmware == NEW_VERSION
        for i, dev in enumerate(big_sim.sim.fleet.devices[uid] for uid in uids)
        if expected(i) == "succeeded"
    )
    finished = AuditEntry.objects.get(action="rollout.finished", params__rollout=rollout.id)
    assert finished.params["succeeded"] == sum(1 for i in range(SIZE) if expected(i) == "succeeded")
