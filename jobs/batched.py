"""Running a chunk of a batched kind (Handler.batched: a rollout, whose every step is
one bounded request): the chunk's pending items are claimed in one UPDATE and their
steps stored in writes of many, instead of a claim and a settle per item. At a few
hundred steps a second those per-item writes, not the requests, were the limit.

The guarantees are the per-item runner's: a claim is a conditional UPDATE whose
RETURNING says which items this worker won; every write of a step is conditional on
the state and the lease the claim set; an item claimed but not run (the job was
paused meanwhile, the soft time limit came) is given back, pending and due at once.
A worker that dies loses what it had not written yet: those items keep their lease
and the sweeper reclaims them (handler.interrupted), as it does any lost item."""

import time
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from .models import TAKING_JOB_STATES, ItemState, Job, JobItem, JobState
from .outcome import outcome, run_step
from .registry import Handler, Step
from .timing import item_lease

# A write of settled steps at least this often: the job page shows progress, and a
# worker that dies loses no more than this (its items are reclaimed, never doubled).
FLUSH_ITEMS = 50
FLUSH_SECONDS = 0.5
# How often a chunk looks at its job's state: a pause stops it within this time.
STATE_SECONDS = 0.5
# What storing a step may change on an item (jobs.outcome).
WRITTEN_FIELDS = ["state", "result", "message", "attempts", "lease_until", "next_at", "data", "updated_at"]


def run_batched(job: Job, handler: Handler, pending: list[JobItem], context: Any) -> None:
    claimed = claim_many(job, pending)
    if claimed is None:
        # Paused: the chunk's items are due for the sweeper at once (it sends them on resume).
        JobItem.objects.filter(id__in=[item.id for item in pending], state=ItemState.PENDING).update(
            next_at=timezone.now()
        )
        return
    if not claimed:
        return
    handler.prepare(job, claimed, context)
    settled = _Settled(job, handler, context)
    looked = time.monotonic()
    ran = 0
    try:
        for item in claimed:
            if time.monotonic() - looked >= STATE_SECONDS:
                looked = time.monotonic()
                if not _still_runs(job):
                    break
            try:
                step = run_step(job, handler, item, context)
            except SoftTimeLimitExceeded:
                ran += 1
                settled.add(item, handler.interrupted(job, item, timed_out=True))
                raise
            ran += 1
            settled.add(item, step)
    finally:
        give_back(claimed[ran:])
        settled.flush()


def claim_many(job: Job, items: list[JobItem]) -> list[JobItem] | None:
    """Take the pending ones of `items` with one lease: those this worker won, in
    order; None when the job takes no items now (paused, done)."""
    state = Job.objects.filter(id=job.id).values_list("state", flat=True).first()
    if state not in TAKING_JOB_STATES:
        return None
    job.state = state
    now = timezone.now()
    lease = now + item_lease()
    won = set(_update_returning_ids([item.id for item in items], lease, now))
    claimed = [item for item in items if item.id in won]
    for item in claimed:
        item.state, item.lease_until, item.next_at = ItemState.RUNNING, lease, None
    if claimed and state == JobState.QUEUED:  # the job's first claim (or one of the first)
        Job.objects.filter(id=job.id, state=JobState.QUEUED).update(state=JobState.RUNNING, started_at=now)
    return claimed


def _update_returning_ids(ids: list[int], lease: datetime, now: datetime) -> list[int]:
    """UPDATE … RETURNING id (PostgreSQL, and SQLite since 3.35): the ids this UPDATE
    changed, which a row count alone cannot say when two workers claim one chunk."""
    if not ids:
        return []
    if not has_returning():
        # One conditional UPDATE per item, whose row count says who won it.
        return [
            item_id
            for item_id in ids
            if JobItem.objects.filter(id=item_id, state=ItemState.PENDING).update(
                state=ItemState.RUNNING, lease_until=lease, next_at=None, updated_at=now
            )
        ]
    ops = connection.ops
    table, marks = ops.quote_name(JobItem._meta.db_table), ", ".join(["%s"] * len(ids))
    # Only our table's name and placeholders are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET state = %s, lease_until = %s, next_at = NULL, updated_at = %s"  # noqa: S608
        f" WHERE id IN ({marks}) AND state = %s RETURNING id"
    )
    lease_value, now_value = ops.adapt_datetimefield_value(lease), ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ItemState.RUNNING, lease_value, now_value, *ids, ItemState.PENDING])
        return [row[0] for row in cursor.fetchall()]


def has_returning() -> bool:
    """UPDATE … RETURNING: SQLite has it since 3.35 (Django's flag for RETURNING on
    INSERT follows the same version); PostgreSQL always."""
    return bool(connection.features.can_return_columns_from_insert)


def give_back(items: list[JobItem]) -> int:
    """Claimed items that were not run: pending again and due for the sweeper at once."""
    if not items:
        return 0
    now = timezone.now()
    return JobItem.objects.filter(
        id__in=[item.id for item in items], state=ItemState.RUNNING, lease_until=items[0].lease_until
    ).update(state=ItemState.PENDING, lease_until=None, next_at=now, updated_at=now)


def _still_runs(job: Job) -> bool:
    state = Job.objects.filter(id=job.id).values_list("state", flat=True).first()
    if state is None:
        return False
    job.state = state  # a cancel is seen by the handler's next step
    return state in TAKING_JOB_STATES


class _Settled:
    """Steps run and not yet written; written together by flush()."""

    def __init__(self, job: Job, handler: Handler, context: Any) -> None:
        self.job, self.handler, self.context = job, handler, context
        self.steps: list[tuple[JobItem, Step]] = []
        self.since = time.monotonic()

    def add(self, item: JobItem, step: Step) -> None:
        self.steps.append((item, step))
        if len(self.steps) >= FLUSH_ITEMS or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        steps, self.steps, self.since = self.steps, [], time.monotonic()
        if not steps:
            return
        self.handler.after_write(self.job, settle_many(self.job, self.handler, steps), self.context)


def settle_many(job: Job, handler: Handler, steps: list[tuple[JobItem, Step]]) -> list[JobItem]:
    """Write the steps of items claimed together (one lease) in one UPDATE, each row
    only while this worker still holds it; answers the items it finished."""
    lease = steps[0][0].lease_until
    finishing: list[JobItem] = []
    for item, step in steps:
        fields, finished = outcome(job, handler, item, step)
        for name, value in fields.items():
            setattr(item, name, value)
        if finished:
            finishing.append(item)
    # The fields any step writes; those a step leaves alone keep the item's own value.
    held = JobItem.objects.filter(state=ItemState.RUNNING, lease_until=lease)
    written = held.bulk_update([item for item, _ in steps], WRITTEN_FIELDS)
    if written != len(steps) and finishing:
        # Some item was taken from this worker meanwhile (its lease ran out): only those
        # written here are finished by this worker.
        ours = Q()
        for item in finishing:
            ours |= Q(id=item.id, updated_at=item.updated_at)
        mine = set(JobItem.objects.filter(ours, state=ItemState.DONE).values_list("id", flat=True))
        finishing = [item for item in finishing if item.id in mine]
    return finishing
