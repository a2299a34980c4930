"""The batched runner (jobs/batched.py): a chunk claimed in one UPDATE, its steps
stored in writes of many, on the scripted kind (tests/jobs/conftest.py)."""

import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection

from audit.models import AuditEntry
from jobs import batched, dispatch, runner
from jobs.models import ItemState, JobItem, JobState
from jobs.services import resume

from .conftest import BATCHED, runs, scripted_job


def run_all(job):
    for first, last in dispatch.job_chunk_ranges(job.id):
        runner.run_chunk(job.id, first, last)
    job.refresh_from_db()
    return job


def writes():
    return [entry.params["finished"] for entry in AuditEntry.objects.filter(action="script.written").order_by("id")]


def test_it_claims_a_chunk_at_once_and_stores_its_steps_in_one_write(acme):
    job = scripted_job(acme, {t: ["done:ok"] for t in range(1, 11)} | {11: ["done:failed"]}, kind=BATCHED)
    run_all(job)
    items = list(JobItem.objects.filter(job=job).order_by("id"))
    assert job.state == JobState.DONE
    assert [i.result for i in items] == ["ok"] * 10 + ["failed"]
    assert [runs(i) for i in items] == [1] * 11
    # One prepare with every item, one write that finished them all.
    prepared = AuditEntry.objects.get(action="script.prepared").params["items"]
    assert prepared == [i.id for i in items]
    assert writes() == [[i.id for i in items]]
    assert {i.lease_until for i in items} == {None}


def test_it_claims_one_by_one_where_the_database_has_no_returning(acme, monkeypatch):
    monkeypatch.setattr(batched, "has_returning", lambda: False)  # SQLite before 3.35
    job = scripted_job(acme, {1: ["done:ok"], 2: ["done:ok"], 3: ["done:failed"]}, kind=BATCHED)
    JobItem.objects.filter(job=job, target_id=2).update(state=ItemState.DONE, result="ok")  # taken before
    run_all(job)
    items = list(JobItem.objects.filter(job=job).order_by("id"))
    assert [i.result for i in items] == ["ok", "ok", "failed"]
    assert [runs(i) for i in items] == [1, 0, 1]
    assert writes() == [[items[0].id, items[2].id]]


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_item_once_when_two_deliveries_of_a_chunk_run_at_once(acme):
    job = scripted_job(acme, {t: ["sleep:0.02"] for t in range(1, 31)}, kind=BATCHED)
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
    assert [runs(i) for i in items] == [1] * 30
    assert {i.state for i in items} == {ItemState.DONE}
    assert sorted(id_ for write in writes() for id_ in write) == sorted(i.id for i in items)
    assert AuditEntry.objects.filter(action="script_batched.finished").count() == 1


def test_it_gives_back_what_it_did_not_run_when_the_job_is_paused(acme, monkeypatch):
    monkeypatch.setattr(batched, "STATE_SECONDS", 0)  # look at the job before every item
    job = scripted_job(acme, {1: ["done:ok"], 2: ["pause"], 3: ["done:ok"], 4: ["done:ok"]}, kind=BATCHED)
    run_all(job)
    one, two, three, four = JobItem.objects.filter(job=job).order_by("id")
    assert job.state == JobState.PAUSED
    assert (one.result, two.result) == ("ok", "ok")
    # Claimed with the others, never run: pending again, due, held by nobody.
    for item in (three, four):
        assert item.state == ItemState.PENDING and item.lease_until is None and item.next_at is not None
        assert runs(item) == 0
    resume(job, None)
    run_all(job)
    assert job.state == JobState.DONE
    assert [runs(i) for i in JobItem.objects.filter(job=job).order_by("id")] == [1, 1, 1, 1]


def test_it_retries_and_gives_up_as_the_per_item_runner_does(acme):
    job = scripted_job(acme, {1: ["retry"], 2: ["wait"], 3: ["boom"]}, kind=BATCHED, max_attempts=1)
    run_all(job)
    one, two, three = JobItem.objects.filter(job=job).order_by("id")
    assert one.state == ItemState.DONE and one.result == "error" and one.message.startswith("Gave up after 1 attempt")
    assert two.state == ItemState.WAITING and two.data == {"waited": 1} and two.next_at is not None
    assert three.state == ItemState.DONE and three.result == "error" and "Unexpected error" in three.message
    assert writes() == [[one.id, three.id]]


def test_it_leaves_alone_an_item_taken_from_it_meanwhile(acme):
    job = scripted_job(acme, {1: ["done:ok"], 2: ["steal"], 3: ["done:ok"]}, kind=BATCHED)
    run_all(job)
    one, two, three = JobItem.objects.filter(job=job).order_by("id")
    assert one.result == three.result == "ok"
    # Its new holder decides: this worker wrote nothing on it and did not call it finished.
    assert two.state == ItemState.RUNNING and two.result == ""
    assert writes() == [[one.id, three.id]]


def test_it_stores_what_ran_and_gives_back_the_rest_at_the_soft_time_limit(acme):
    job = scripted_job(acme, {1: ["done:ok"], 2: ["soft_limit"], 3: ["done:ok"]}, kind=BATCHED)
    ((first, last),) = dispatch.job_chunk_ranges(job.id)
    with pytest.raises(SoftTimeLimitExceeded):
        runner.run_chunk(job.id, first, last)
    one, two, three = JobItem.objects.filter(job=job).order_by("id")
    assert one.result == "ok"
    # The interrupted item gets the kind's interrupted() step; the one after it is given back.
    assert two.state == ItemState.DONE and two.result == "error" and "worker stopped" in two.message
    assert three.state == ItemState.PENDING and three.lease_until is None and runs(three) == 0
