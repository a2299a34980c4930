"""The reconciler (jobs.sweeper): jobs whose tasks were lost, whose workers died, whose
retries ran out or whose enqueue failed still end, each device with a clear result."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.models import AuditEntry
from devices.bulk import INTERRUPTED
from jobs import dispatch, sweeper
from jobs.models import ItemState, JobItem, JobState
from rop_fleet.celery import app
from tests.devices.fleet_rows import rows_from_sim

from .bulk_jobs import alarm_audits, results, start_alarm_off
from .conftest import scripted_job, sweep_later


@pytest.fixture
def fleet(sim, acme_on_sim):
    return rows_from_sim(sim, acme_on_sim)


@pytest.fixture
def operator(client_of, olga):
    return client_of(olga)


def test_it_finishes_a_job_whose_chunks_were_lost_in_the_broker(
    fleet, operator, django_capture_on_commit_callbacks, eager, monkeypatch
):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_alarm_off(operator, fleet[:6])
    app.control.purge()  # the chunks were sent, then lost
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    assert sweeper.sweep().dispatched == 0  # still within the time a queued chunk may take
    report = sweep_later()
    assert report.dispatched == 6
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert {result for result, _ in results(job).values()} == {"ok"}
    assert alarm_audits(job) == {d.uid: 1 for d in fleet[:6]}
    assert AuditEntry.objects.filter(action="bulk.finished", params__job=job.id).count() == 1


def test_it_finishes_a_job_whose_enqueue_failed(
    fleet, operator, django_capture_on_commit_callbacks, eager, monkeypatch
):
    task = app.tasks[dispatch.CHUNK_TASK]

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_alarm_off(operator, fleet[:3])  # the operator still gets the job page, not a 500
    assert set(JobItem.objects.filter(job=job).values_list("state", flat=True)) == {ItemState.PENDING}
    monkeypatch.undo()
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    sweep_later()
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert alarm_audits(job) == {d.uid: 1 for d in fleet[:3]}


def test_it_reports_an_item_whose_worker_died_as_interrupted_without_redoing_it(fleet, operator, eager):
    job = start_alarm_off(operator, fleet[:2])
    lost, other = JobItem.objects.filter(job=job).order_by("id")
    gone = timezone.now() - timedelta(seconds=1)
    JobItem.objects.filter(id=lost.id).update(state=ItemState.RUNNING, lease_until=gone)
    # A running item whose lease has not run out belongs to a live worker: left alone.
    JobItem.objects.filter(id=other.id).update(
        state=ItemState.RUNNING, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert sweeper.sweep().reclaimed == 1
    lost.refresh_from_db()
    assert (lost.state, lost.result, lost.message, lost.attempts) == (ItemState.DONE, "error", INTERRUPTED, 1)
    assert JobItem.objects.get(id=other.id).state == ItemState.RUNNING
    sweep_later()  # that worker died too
    job.refresh_from_db()
    assert job.state == JobState.DONE and alarm_audits(job) == {}
    assert {message for _, message in results(job).values()} == {INTERRUPTED}


def test_it_gives_up_an_item_whose_workers_keep_dying(fleet, operator):
    job = start_alarm_off(operator, fleet[:1])
    JobItem.objects.filter(job=job).update(
        state=ItemState.RUNNING, attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    sweeper.sweep()
    item = JobItem.objects.get(job=job)
    assert (item.state, item.result, item.attempts) == (ItemState.DONE, "error", 3)
    assert item.message == "Gave up after 3 attempts: the worker stopped each time."
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_it_closes_a_job_left_running_with_nothing_open_exactly_once(fleet, operator, olga):
    job = start_alarm_off(operator, fleet[:2])
    # What a lost last chunk used to leave behind: every item finished, the job "running" forever.
    JobItem.objects.filter(job=job).update(state=ItemState.DONE, result="ok")
    job.__class__.objects.filter(id=job.id).update(state=JobState.RUNNING)
    assert sweeper.sweep().finished == 1
    assert sweeper.sweep().finished == 0
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.finished_at is not None
    finished = AuditEntry.objects.get(action="bulk.finished")
    assert finished.params == {"job": job.id, "action": "alarm_off", "ok": 2} and finished.user_id == olga.id


def test_it_sends_due_waiting_items_before_pending_ones_past_its_bound(acme, monkeypatch):
    """A big rollout keeps thousands of devices pending that it has no room for: the
    reads that free room (waiting items) come first within one sweep's bound."""
    monkeypatch.setattr(sweeper, "MAX_DISPATCH", 3)
    job = scripted_job(acme, {t: ["done:ok"] for t in range(1, 6)})
    items = list(JobItem.objects.filter(job=job).order_by("id"))
    now = timezone.now()
    JobItem.objects.filter(id__in=[i.id for i in items[:4]]).update(next_at=None)
    JobItem.objects.filter(id=items[4].id).update(state=ItemState.WAITING, next_at=now - timedelta(seconds=1))
    assert sweeper.due_items(now) == [(job.id, items[4].id), (job.id, items[0].id), (job.id, items[1].id)]
