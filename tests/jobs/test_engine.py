"""The engine's claims and steps, on a scripted kind (tests/jobs/conftest.py)."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEntry
from jobs import dispatch, outcome, runner
from jobs.models import ItemState, JobItem, JobState

from .conftest import runs, scripted_job, sweep_later


def run_all(job):
    for first, last in dispatch.job_chunk_ranges(job.id):
        runner.run_chunk(job.id, first, last)
    job.refresh_from_db()
    return job


def test_it_runs_each_item_once_and_closes_the_job_once(acme):
    job = scripted_job(acme, {1: ["done:ok"], 2: ["done:failed"]})
    assert job.state == JobState.QUEUED and job.total == 2
    run_all(job)
    run_all(job)  # the same chunks delivered again
    assert job.state == JobState.DONE and job.started_at and job.finished_at
    assert dict(JobItem.objects.filter(job=job).values_list("target_id", "result")) == {1: "ok", 2: "failed"}
    assert [runs(i) for i in JobItem.objects.filter(job=job)] == [1, 1]
    finished = AuditEntry.objects.get(action="script.finished")
    assert finished.params == {"job": job.id, "action": "", "ok": 1, "failed": 1}


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_item_once_when_two_deliveries_of_a_chunk_run_at_once(acme):
    job = scripted_job(acme, {t: ["sleep:0.05"] for t in range(1, 21)})
    ((first, last),) = dispatch.job_chunk_ranges(job.id)

    def deliver():
        try:
            runner.run_chunk(job.id, first, last)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    items = list(JobItem.objects.filter(job=job))
    assert [runs(i) for i in items] == [1] * 20
    assert {i.state for i in items} == {ItemState.DONE}
    assert AuditEntry.objects.filter(action="script.finished").count() == 1


def test_it_retries_an_item_then_gives_it_up_with_a_clear_result(acme, eager):
    job = scripted_job(acme, {1: ["retry", "retry", "done:ok"], 2: ["retry"]}, max_attempts=3)
    run_all(job)
    one, two = JobItem.objects.filter(job=job).order_by("target_id")
    assert one.state == two.state == ItemState.WAITING and one.attempts == 1 and one.message == "Not yet."
    sweep_later()
    sweep_later()
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, one.result, one.attempts, runs(one)) == (ItemState.DONE, "ok", 2, 3)
    # Its third failed try is its last: given up with the kind's error result, saying why.
    assert (two.state, two.result, runs(two)) == (ItemState.DONE, "error", 3)
    assert two.message == "Gave up after 3 attempts: Not yet."
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_it_parks_a_waiting_item_until_due_and_keeps_its_data(acme, eager):
    job = scripted_job(acme, {1: ["wait", "done:ok"]})
    run_all(job)
    item = JobItem.objects.get(job=job)
    assert item.state == ItemState.WAITING and item.data == {"waited": 1} and item.next_at is not None
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    sweep_later()
    item.refresh_from_db()
    assert (item.state, item.result, item.message) == (ItemState.DONE, "ok", "data={'waited': 1}")


def test_it_closes_an_item_whose_handler_raised_without_stopping_the_chunk(acme):
    job = scripted_job(acme, {1: ["boom"], 2: ["done:ok"]})
    run_all(job)
    got = dict(JobItem.objects.filter(job=job).values_list("target_id", "result", named=False))
    assert got == {1: "error", 2: "ok"}
    assert JobItem.objects.get(job=job, target_id=1).message == outcome.UNEXPECTED


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_job_to_its_in_flight_cap_across_workers(acme, eager):
    job = scripted_job(acme, {t: ["sleep:0.1"] for t in range(1, 9)}, max_in_flight=2)
    ranges = dispatch.chunk_ranges(list(JobItem.objects.filter(job=job).values_list("id", flat=True)), size=2)

    def deliver(first, last):
        try:
            runner.run_chunk(job.id, first, last)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=r) for r in ranges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Items a full job turned away are left for the sweeper, which sends no more than there is room for.
    for _ in range(10):
        if not JobItem.objects.filter(job=job).exclude(state=ItemState.DONE).exists():
            break
        sweep_later(0)
    items = list(JobItem.objects.filter(job=job))
    assert {i.state for i in items} == {ItemState.DONE}
    seen = [int(i.message.split("=")[1]) for i in items]
    assert max(seen) <= 2 and [runs(i) for i in items] == [1] * 8


def test_it_tells_the_handler_each_finished_item_so_a_threshold_can_pause_the_job(acme):
    steps = {1: ["done:failed"], 2: ["done:ok"], 3: ["done:failed"], 4: ["done:ok"], 5: ["done:ok"]}
    job = scripted_job(acme, steps)
    job.params["pause_after_failures"] = 2
    job.save(update_fields=["params"])
    run_all(job)
    assert job.state == JobState.PAUSED
    got = dict(JobItem.objects.filter(job=job).values_list("target_id", "state"))
    assert got == {1: "done", 2: "done", 3: "done", 4: "pending", 5: "pending"}
    assert AuditEntry.objects.filter(action="script.paused", params__job=job.id).count() == 1
