"""Pause, resume, cancel, retry failed and roll back; a worker lost mid-upgrade."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from devices.models import Device
from firmware.models import Rollout
from firmware.pushing import push_image
from firmware.rollout import services
from jobs import sweeper
from jobs.models import ItemState, JobItem, JobState
from partners.rop_clients import rop_client_for
from ropsim.models import CATALOGUE
from ropsim.testing import SimConfig

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
    with cameras_on_sim(SimConfig(devices=0, seed=5, token="sim-token", upgrade_seconds=0.3), 6, "CTRL") as running:
        yield running


@pytest.fixture
def fleet(small_sim, acme):
    return fleet_of(small_sim, acme)


def test_it_pauses_resumes_and_cancels_with_an_audit_entry_each(engine, small_sim, fleet, acme, olga):
    rollout = start(acme, olga, library_image(acme), max_in_flight=1)
    assert services.pause(rollout, olga)
    sweeper.sweep()
    assert not JobItem.objects.filter(job_id=rollout.job_id).exclude(result="").exists()  # nothing taken
    assert services.resume(rollout, olga)
    drive(rollout, until=lambda job: JobItem.objects.filter(job=job, result="succeeded").count() >= 2)
    assert services.cancel(rollout, olga)
    rollout.job.refresh_from_db()
    assert rollout.job.state == JobState.CANCELLED
    got = results(rollout)
    assert "cancelled" in got.values() and set(got.values()) <= {"succeeded", "cancelled", "waiting", "running"}
    for action in ("rollout.paused", "rollout.resumed", "rollout.cancelled"):
        assert AuditEntry.objects.filter(action=action, user=olga, params__job=rollout.job_id).exists()
    assert not services.resume(rollout, olga) and not services.pause(rollout, olga)


def test_it_retries_only_the_failed_devices(engine, small_sim, fleet, acme, olga):
    broken = fleet[0].uid
    sim_control(small_sim, "PUT", f"/devices/{broken}/upgrade-outcome", {"outcome": "unknown_error"})
    rollout = start(acme, olga, library_image(acme))
    drive(rollout)
    assert results(rollout)[broken] == "failed" and item_of(rollout, broken).data["reason"] == "unknown_error"
    before = {uid: item_of(rollout, uid).updated_at for uid in results(rollout) if uid != broken}
    assert services.retry_failed(rollout, olga) == 1
    job = drive(rollout)
    assert job.state == JobState.DONE and set(results(rollout).values()) == {"succeeded"}
    assert {uid: item_of(rollout, uid).updated_at for uid in before} == before  # the others untouched
    assert item_of(rollout, broken).data["sessions"] == 2 == sim_sessions(small_sim)[broken]
    assert AuditEntry.objects.filter(action="rollout.retried", user=olga, params__devices=1).exists()
    assert services.retry_failed(rollout, olga) == 0


def test_it_rolls_back_to_the_previous_image_where_the_library_has_it(engine, small_sim, fleet, acme, olga):
    spec = CATALOGUE[MODEL]
    # Every device ships with one of two builds; the library has the images of one of them.
    old_build, old_date = 1890, "230301"
    old_image = library_image(acme, spec.firmware_filename(old_build, old_date), data=b"old" * 500)
    on_old = {d.uid for d in fleet if d.firmware_version == spec.firmware_version(old_build, old_date)}
    assert on_old and len(on_old) < len(fleet)
    rollout = start(acme, olga, library_image(acme))
    drive(rollout)
    outcome = services.roll_back(rollout, olga)
    assert outcome.missing == len(fleet) - len(on_old)
    (back,) = outcome.rollouts
    assert back.image == old_image and back.rolled_back_from == rollout
    drive(back)
    assert set(results(back)) == on_old and set(results(back).values()) == {"succeeded"}
    for uid, dev in small_sim.sim.fleet.devices.items():
        assert dev.firmware == (spec.firmware_version(old_build, old_date) if uid in on_old else NEW_VERSION)
    assert AuditEntry.objects.filter(action="rollout.rolled_back", user=olga, params__new_rollouts=[back.id]).exists()


def test_it_rereads_the_session_of_a_device_whose_worker_died(engine, small_sim, fleet, acme, olga, settings):
    small_sim.sim.config.upgrade_seconds = 1.0
    rollout = start(acme, olga, library_image(acme), devices=Device.objects.filter(id=fleet[0].id))
    drive(rollout, until=lambda job: JobItem.objects.filter(job=job, data__step="upgrading").exists())
    item = JobItem.objects.get(job_id=rollout.job_id)
    # The worker that held it died: running, its lease long gone.
    JobItem.objects.filter(id=item.id).update(state=ItemState.RUNNING, lease_until=timezone.now() - timedelta(1))
    drive(rollout)
    item.refresh_from_db()
    assert item.result == "succeeded" and item.attempts == 1
    assert sim_sessions(small_sim)[fleet[0].uid] == 1


def test_it_asks_again_after_a_worker_died_while_creating_and_adopts_what_it_started(
    engine, small_sim, fleet, acme, olga, settings
):
    """The worst moment: the session request left, the worker died before storing its
    answer. The next try finds the device upgrading and follows that upgrade."""
    settings.ROLLOUT_UPGRADE_SECONDS = 1.0
    settings.ROLLOUT_FIRST_READ_SECONDS = 0.1
    small_sim.sim.config.upgrade_seconds = 2.0
    device = fleet[0]
    rollout = start(acme, olga, library_image(acme), devices=Device.objects.filter(id=device.id))
    assert push_image(rollout.image_id).ok
    with rop_client_for(acme) as client:  # the request that left
        client.create_upgrade_session(device.uid, rollout.image.file_name)
    JobItem.objects.filter(job_id=rollout.job_id).update(
        state=ItemState.RUNNING, lease_until=None, data={"wave": 0, "step": "creating"}
    )
    drive(rollout)
    item = JobItem.objects.get(job_id=rollout.job_id)
    assert item.result == "succeeded", (item.message, item.data)
    assert item.data["step"] == "adopted" and item.data["maybe_created"]
    assert sim_sessions(small_sim)[device.uid] == 1


def test_it_asks_once_after_a_worker_died_holding_room_for_a_device_it_had_not_asked_for(
    engine, small_sim, fleet, acme, olga
):
    """A chunk takes room for all its devices at once (upgrade._take_room): one its worker
    died before asking for is tried again plainly, not followed as an upgrade that may
    have started (an offline device would otherwise be followed and end up failed)."""
    offline, online = fleet[0], fleet[1]
    sim_control(small_sim, "POST", f"/devices/{offline.uid}/offline")
    rollout = start(acme, olga, library_image(acme), devices=Device.objects.filter(id__in=[offline.id, online.id]))
    JobItem.objects.filter(job_id=rollout.job_id).update(
        state=ItemState.RUNNING, lease_until=None, data={"wave": 0, "step": "creating", "reserved": True}
    )
    drive(rollout, until=lambda job: bool(item_of(rollout, offline.uid).data.get("tries")))
    waits = item_of(rollout, offline.uid)
    assert waits.state == ItemState.WAITING and "offline" in waits.message, (waits.message, waits.data)
    assert waits.data["step"] == "" and not waits.data.get("maybe_created")
    drive(rollout, until=lambda job: item_of(rollout, online.uid).result != "")
    upgraded = item_of(rollout, online.uid)
    assert upgraded.result == "succeeded" and upgraded.data["step"] == "upgrading"
    assert sim_sessions(small_sim)[online.uid] == 1 and sim_sessions(small_sim)[offline.uid] == 0


def test_it_lists_a_rollout_on_the_jobs_page(engine, small_sim, fleet, acme, olga, client_of):
    rollout = start(acme, olga, library_image(acme))
    drive(rollout)
    page = client_of(olga).get(reverse("job_list", kwargs={"slug": "acme"})).content.decode()
    assert Rollout.objects.get(id=rollout.id).name in page


def test_it_follows_devices_already_upgrading_to_their_end_after_a_cancel(
    engine, small_sim, fleet, acme, olga, client_of
):
    rollout = start(acme, olga, library_image(acme), max_in_flight=2)
    upgrading = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.WAITING, data__step="upgrading")
    drive(rollout, until=lambda job: upgrading.count() == 2)
    followed = set(upgrading.values_list("id", flat=True))
    assert services.cancel(rollout, olga)
    entry = AuditEntry.objects.get(action="rollout.cancelled", params__job=rollout.job_id)
    assert entry.params["still_upgrading"] == 2 and entry.params["cancelled_items"] == len(fleet) - 2
    # The page says they cannot be stopped while they finish.
    url = reverse("rollout_detail", kwargs={"slug": acme.slug, "rollout_id": rollout.id})
    assert "2 devices were already upgrading" in client_of(olga).get(url).content.decode()
    open_items = JobItem.objects.filter(job_id=rollout.job_id, state__in=(ItemState.WAITING, ItemState.RUNNING))
    deadline = timezone.now() + timedelta(seconds=30)
    while open_items.exists() and timezone.now() < deadline:
        sweeper.sweep()
    items = JobItem.objects.filter(job_id=rollout.job_id)
    assert {i.id: i.result for i in items if i.id in followed} == {i: "succeeded" for i in followed}
    assert {i.result for i in items if i.id not in followed} == {"cancelled"}
    rollout.job.refresh_from_db()
    assert rollout.job.state == JobState.CANCELLED
    assert sum(sim_sessions(small_sim).values()) == 2
