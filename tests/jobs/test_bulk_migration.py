"""devices 0004 copies the old BulkJob / BulkJobItem rows into the engine's tables,
keeping job ids (old links keep working) and leaving unfinished work to the sweeper."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jobs.models import ItemState, Job, JobItem, JobState

BEFORE = [("devices", "0003_fleet_list_and_bulk"), ("jobs", "0001_initial")]
AFTER = [("devices", "0004_bulk_jobs_to_engine")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest(transactional_db):
    """Leave the database at the newest migrations, as the tests after this one expect."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_it_moves_old_bulk_jobs_into_the_engine_with_their_ids(back_to_latest, acme, olga):
    old = migrate(BEFORE)
    Device = old.get_model("devices", "Device")
    BulkJob = old.get_model("devices", "BulkJob")
    BulkJobItem = old.get_model("devices", "BulkJobItem")
    a, b, c = (Device.objects.create(partner_id=acme.id, uid=f"95270000MIGR000{n}") for n in range(3))
    done = BulkJob.objects.create(
        id=41, partner_id=acme.id, user_id=olga.id, action="add_tag", params={"tag": "x"}, total=2, state="done"
    )
    BulkJobItem.objects.create(job=done, device=a, result="ok", message="Tagged “x”.")
    BulkJobItem.objects.create(job=done, device=b, result="offline")
    stuck = BulkJob.objects.create(id=42, partner_id=acme.id, action="alarm_off", total=3, state="running")
    BulkJobItem.objects.create(job=stuck, device=a, result="error", message="Boom.")
    BulkJobItem.objects.create(job=stuck, device=b, result="running")
    BulkJobItem.objects.create(job=stuck, device=c, result="pending")

    migrate(AFTER)
    moved = Job.objects.get(id=41)
    assert (moved.kind, moved.action, moved.state, moved.user_id, moved.params) == (
        "bulk",
        "add_tag",
        "done",
        olga.id,
        {"tag": "x"},
    )
    assert set(JobItem.objects.filter(job=moved).values_list("target_id", "state", "result", "message")) == {
        (a.id, ItemState.DONE, "ok", "Tagged “x”."),
        (b.id, ItemState.DONE, "offline", ""),
    }
    running = Job.objects.get(id=42)
    assert running.state == JobState.RUNNING
    states = dict(JobItem.objects.filter(job=running).values_list("target_id", "state"))
    # The running one has no lease (the sweeper reports it interrupted);
    # the pending one has no dispatch deadline (the sweeper sends it at once).
    assert states == {a.id: ItemState.DONE, b.id: ItemState.RUNNING, c.id: ItemState.PENDING}
    assert not JobItem.objects.filter(job=running, lease_until__isnull=False).exists()
    assert not JobItem.objects.filter(job=running, next_at__isnull=False).exists()
    # New jobs get ids past the copied ones.
    assert Job.objects.create(partner=acme, kind="bulk").id > 42
