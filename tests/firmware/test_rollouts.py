"""A rollout's transitions, device by device, against ropsim over real HTTP, with
the job engine run in-process."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from devices.models import Device
from firmware.models import Rollout
from firmware.pushing import push_image
from firmware.rollout import services
from jobs.models import ItemState, JobItem, JobState
from partners.rop_clients import rop_client_for
from ropsim.testing import SimConfig, start_in_thread
from tests.devices.fleet_rows import rows_from_sim

from .rollouts import (
    MODEL,
    NEW_VERSION,
    cameras_on_sim,
    drive,
    fleet_of,
    item_of,
    library_image,
    results,
    sim_control,
    sim_sessions,
    start,
)


@pytest.fixture
def small_sim():
    """Eight cameras of one battery model, awake, fast upgrades."""
    with cameras_on_sim(SimConfig(devices=0, seed=3, token="sim-token", upgrade_seconds=0.3), 8, "ROLL") as running:
        yield running


@pytest.fixture
def fleet(small_sim, acme):
    return fleet_of(small_sim, acme)


def test_it_upgrades_every_device_once_and_records_where_it_came_from(engine, small_sim, fleet, acme, olga):
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=4)
    job = drive(rollout)
    assert job.state == JobState.DONE
    assert set(results(rollout).values()) == {"succeeded"}
    assert all(dev.firmware == NEW_VERSION for dev in small_sim.sim.fleet.devices.values())
    assert set(sim_sessions(small_sim).values()) == {1}
    first = item_of(rollout, fleet[0].uid)
    assert first.data["from_version"] == fleet[0].firmware_version and first.data["sessions"] == 1
    assert first.message.startswith(f"Upgraded from {fleet[0].firmware_version} to {image.version}")
    assert AuditEntry.objects.filter(action="rollout.started", params__rollout=rollout.id).exists()
    assert AuditEntry.objects.get(action="rollout.finished").params["succeeded"] == len(fleet)


def sim_device(sim, uid: str):
    return sim.sim.fleet.devices[uid]


def test_it_pushes_the_image_first_and_again_after_file_not_found(engine, small_sim, fleet, acme, olga):
    image = library_image(acme)
    first = start(acme, olga, image, devices=Device.objects.filter(id=fleet[0].id))
    drive(first)
    image.refresh_from_db()
    assert image.uploaded_to_rop_at is not None and image.file_name in small_sim.sim.firmware.files
    # The Core Server lost the file: the next rollout's session answers file_not_found.
    small_sim.call(small_sim.sim.firmware.files.clear)
    second = start(acme, olga, image, devices=Device.objects.filter(id__in=[d.id for d in fleet[1:3]]))
    drive(second)
    assert set(results(second).values()) == {"succeeded"}
    assert image.file_name in small_sim.sim.firmware.files
    pushes = AuditEntry.objects.filter(action="firmware.push", params__image=image.id)
    assert [entry.params["outcome"] for entry in pushes.order_by("id")] == ["pushed", "pushed"]
    assert item_of(second, fleet[1].uid).data["repushes"] + item_of(second, fleet[2].uid).data.get("repushes", 0) >= 1


def test_it_adopts_an_upgrade_already_running_instead_of_starting_a_second(engine, small_sim, fleet, acme, olga):
    image = library_image(acme)
    busy = fleet[0]
    # Someone (another console, a lost answer) started this device's upgrade already.
    small_sim.sim.config.upgrade_seconds = 4.0
    assert push_image(image.id).ok
    with rop_client_for(acme) as client:
        client.create_upgrade_session(busy.uid, image.file_name)
    rollout = start(acme, olga, image, devices=Device.objects.filter(id=busy.id))
    drive(rollout)
    item = item_of(rollout, busy.uid)
    assert item.result == "succeeded" and item.data["step"] == "adopted"
    assert item.data.get("sessions", 0) == 0
    assert sim_sessions(small_sim)[busy.uid] == 1  # only the one that was already running


def test_it_lowers_in_flight_on_the_session_limit_and_fails_no_device(engine, acme, olga):
    config = SimConfig(devices=0, seed=4, token="sim-token", upgrade_seconds=0.5, upgrade_session_limit=2)
    with start_in_thread(config) as sim:
        for i in range(8):
            sim.call(sim.sim.fleet.create_device, MODEL, f"95270000LIMT{i:04d}").set_battery(sim.sim.now(), 90.0)
        acme.rop_base_url, acme.gateway_token, acme.request_budget = sim.base_url, "sim-token", 500
        acme.save()
        rows_from_sim(sim, acme)
        rollout = start(acme, olga, library_image(acme), max_in_flight=6)
        job = drive(rollout)
        assert set(results(rollout).values()) == {"succeeded"}
        assert job.max_in_flight is not None and job.max_in_flight <= 2
        assert sum(item.data.get("limit_hits", 0) for item in JobItem.objects.filter(job=job)) >= 1
        assert set(sim_sessions(sim).values()) == {1}


def test_it_retries_offline_and_asleep_devices_until_the_deadline_then_skips_them(engine, small_sim, fleet, acme, olga):
    offline, unwakeable, sleepy = fleet[0].uid, fleet[1].uid, fleet[2].uid
    sim_control(small_sim, "POST", f"/devices/{offline}/offline")
    sim_control(small_sim, "PUT", f"/devices/{unwakeable}/behaviour", {"wakeFailureRate": 1.0})
    sim_control(small_sim, "POST", f"/devices/{unwakeable}/sleep")
    sim_control(small_sim, "POST", f"/devices/{sleepy}/sleep")  # wakes when called
    image = library_image(acme)
    rollout = start(acme, olga, image, deadline=timezone.now() + timedelta(seconds=4))
    drive(rollout)
    got = results(rollout)
    assert got[offline] == "skipped" and got[unwakeable] == "skipped" and got[sleepy] == "succeeded"
    assert item_of(rollout, offline).data["tries"] >= 2
    assert "did not wake up" in item_of(rollout, unwakeable).message
    assert sim_sessions(small_sim)[offline] == 0 and sim_sessions(small_sim)[unwakeable] == 0


def test_it_defers_low_batteries_and_never_fails_them(engine, small_sim, fleet, acme, olga):
    known_low, answers_low = fleet[0], fleet[1]
    Device.objects.filter(id=known_low.id).update(battery_percent=12)  # the console knows: not asked at all
    sim_control(small_sim, "PUT", f"/devices/{answers_low.uid}/battery", {"percent": 10})  # the device says so
    image = library_image(acme)
    rollout = start(acme, olga, image, deadline=timezone.now() + timedelta(seconds=3))
    drive(rollout)
    got = results(rollout)
    assert got[known_low.uid] == "deferred" and got[answers_low.uid] == "deferred"
    assert "failed" not in got.values()
    assert sim_sessions(small_sim)[known_low.uid] == 0
    answered = item_of(rollout, answers_low.uid)
    assert answered.data["deferrals"] >= 1 and sim_sessions(small_sim)[answers_low.uid] == answered.data["sessions"]


def test_it_pauses_by_itself_after_a_handful_of_file_check_failures(engine, small_sim, fleet, acme, olga):
    for device in fleet:
        sim_control(small_sim, "PUT", f"/devices/{device.uid}/upgrade-outcome", {"outcome": "file_check_failed"})
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=1, file_check_limit=3)
    job = drive(rollout, until=lambda job: job.state == JobState.PAUSED)
    drive(rollout, until=lambda job: not JobItem.objects.filter(job=job, state=ItemState.RUNNING).exists(), timeout=10)
    rollout.refresh_from_db()
    assert job.state == JobState.PAUSED and "file_check_failed" in rollout.pause_reason
    failed = JobItem.objects.filter(job=job, result="failed")
    assert 3 <= failed.count() <= 4 and {i.data["reason"] for i in failed} == {"file_check_failed"}
    assert JobItem.objects.filter(job=job, result="").count() >= len(fleet) - 4
    assert AuditEntry.objects.filter(action="rollout.auto_paused").exists()
    assert AuditEntry.objects.filter(action="rollout.paused", user=None).exists()


def test_it_runs_only_the_current_wave_until_the_next_is_started(engine, small_sim, fleet, acme, olga):
    rollout = start(acme, olga, library_image(acme), canary=2, wave_size=3)
    assert rollout.waves == [2, 3, 3]
    drive(rollout, until=lambda job: JobItem.objects.filter(job=job, result="succeeded").count() == 2)
    assert JobItem.objects.filter(job_id=rollout.job_id, result="succeeded").count() == 2
    assert JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.WAITING, data__wave__gt=0).count() == 6
    assert services.next_wave(rollout, olga) == 1
    drive(rollout, until=lambda job: JobItem.objects.filter(job=job, result="succeeded").count() == 5)
    assert AuditEntry.objects.filter(action="rollout.next_wave", user=olga, params__wave=2).exists()
    assert services.next_wave(rollout, olga) == 2
    job = drive(rollout)
    assert job.state == JobState.DONE and set(results(rollout).values()) == {"succeeded"}
    assert services.next_wave(rollout, olga) is None


def test_it_advances_waves_by_itself_at_the_success_share(engine, small_sim, fleet, acme, olga):
    rollout = start(acme, olga, library_image(acme), canary=1, wave_percent=50, auto_advance_percent=100)
    assert rollout.waves == [1, 4, 3]
    job = drive(rollout)
    assert job.state == JobState.DONE and set(results(rollout).values()) == {"succeeded"}
    assert AuditEntry.objects.filter(action="rollout.next_wave", user=None).count() == 2
    assert Rollout.objects.get(id=rollout.id).current_wave == 2


def test_it_reads_a_session_again_after_an_answer_it_does_not_understand(engine, small_sim, fleet, acme, olga):
    device = fleet[0]
    path = "/v1.0/devices/{uid}/upgrade-session/{sessionId}"
    sim_control(
        small_sim, "POST", "/inject", {"body": {"status": "exploded"}, "status": 200, "path": path, "method": "GET"}
    )
    rollout = start(acme, olga, library_image(acme), devices=Device.objects.filter(id=device.id))
    drive(rollout)
    item = item_of(rollout, device.uid)
    assert item.result == "succeeded" and item.attempts == 1
    assert sim_sessions(small_sim)[device.uid] == 1
