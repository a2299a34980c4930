"""Running a chunk of a job's items on a worker, and settling each item's step.

Every change of an item is a conditional UPDATE on its own row (its id and the
state, and for a running item the lease, the caller read), and its row count says
whether the caller won: a chunk delivered twice, a sweep and a late worker, two
sweeps, never both act on one item."""

import logging
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from audit import services as audit

from .batched import run_batched
from .models import (
    OPEN_ITEM_STATES,
    TAKING_JOB_STATES,
    UNFINISHED_JOB_STATES,
    ItemState,
    Job,
    JobItem,
    JobState,
)
from .outcome import UNEXPECTED, outcome, run_step
from .registry import Done, Handler, Step, handler_for
from .timing import item_lease

logger = logging.getLogger(__name__)


def run_chunk(job_id: int, first_item_id: int, last_item_id: int) -> None:
    job = Job.objects.select_related("partner", "user").filter(id=job_id).first()
    if job is None:
        return  # deleted with its partner meanwhile
    handler = handler_for(job.kind)
    chunk = JobItem.objects.filter(job_id=job.id, id__gte=first_item_id, id__lte=last_item_id)
    # Items of this chunk left running by a worker that is gone (a redelivered chunk).
    now = timezone.now()
    for item in chunk.filter(state=ItemState.RUNNING).exclude(lease_until__gte=now):
        reclaim(job, handler, item)
    pending = list(chunk.filter(state=ItemState.PENDING).order_by("id"))
    try:
        if pending and handler.batched:
            with handler.chunk(job) as context:
                run_batched(job, handler, pending, context)
        elif pending:
            with handler.chunk(job) as context:
                for item in pending:
                    taken = claim(job, item, capped=not handler.caps_itself)
                    if taken is None:
                        continue
                    if taken is False:
                        # Paused, cancelled or at its in-flight cap: the rest is due for the
                        # sweeper at once (it sends them when the job runs and has room).
                        chunk.filter(state=ItemState.PENDING).update(next_at=timezone.now())
                        break
                    _run_one(job, handler, item, context)
    finally:
        finish_if_done(job)


def claim(job: Job, item: JobItem, *, capped: bool = True) -> bool | None:
    """Take a pending item: True when taken, None when someone else has it, False when
    the job takes no more items now (not runnable, or at its in-flight cap)."""
    state = Job.objects.filter(id=job.id).values_list("state", flat=True).first()
    if state not in TAKING_JOB_STATES:
        return False
    now = timezone.now()
    lease = now + item_lease()
    mine = JobItem.objects.filter(id=item.id, state=ItemState.PENDING)
    if job.max_in_flight and capped:
        with transaction.atomic():
            # The job row's lock serialises this job's claims, so the cap holds across workers.
            Job.objects.select_for_update().filter(id=job.id).values_list("id").first()
            running = JobItem.objects.filter(job_id=job.id, state=ItemState.RUNNING).count()
            if running >= job.max_in_flight:
                return False
            won = mine.update(state=ItemState.RUNNING, lease_until=lease, next_at=None, updated_at=now)
    else:
        won = mine.update(state=ItemState.RUNNING, lease_until=lease, next_at=None, updated_at=now)
    if won != 1:
        return None
    item.state, item.lease_until = ItemState.RUNNING, lease
    if state == JobState.QUEUED:  # the job's first claim (or one of the first, racing: one wins)
        Job.objects.filter(id=job.id, state=JobState.QUEUED).update(state=JobState.RUNNING, started_at=now)
    return True


def _run_one(job: Job, handler: Handler, item: JobItem, context: Any) -> None:
    try:
        step = run_step(job, handler, item, context)
    except SoftTimeLimitExceeded:
        settle(job, handler, item, handler.interrupted(job, item, timed_out=True))
        raise
    settle(job, handler, item, step)


def settle(job: Job, handler: Handler, item: JobItem, step: Step, *, count_retry: bool = True) -> bool:
    """Record a running item's step, if this caller still holds its lease."""
    fields, finished = outcome(job, handler, item, step, count_retry=count_retry)
    held = JobItem.objects.filter(id=item.id, state=ItemState.RUNNING, lease_until=item.lease_until)
    if held.update(**fields) != 1:
        return False
    for name, value in fields.items():
        setattr(item, name, value)
    if finished:
        handler.item_finished(job, item)
    return True


def reclaim(job: Job, handler: Handler, item: JobItem) -> bool:
    """A running item whose lease ran out (or that never had one): its worker is gone.
    Take the item over with a new lease, count the lost try, then let the handler say
    what it means (bulk: an error, since nobody knows whether the device changed), or
    give it up once its tries ran out."""
    now = timezone.now()
    lease = now + item_lease()
    held = JobItem.objects.filter(id=item.id, state=ItemState.RUNNING)
    held = (
        held.filter(lease_until__isnull=True) if item.lease_until is None else held.filter(lease_until=item.lease_until)
    )
    if held.update(lease_until=lease, attempts=item.attempts + 1, updated_at=now) != 1:
        return False
    item.lease_until, item.attempts = lease, item.attempts + 1
    step: Step
    if item.attempts >= job.max_attempts:
        step = Done(handler.error_result, f"Gave up after {item.attempts} attempts: the worker stopped each time.")
    else:
        try:
            step = handler.interrupted(job, item)
        except Exception:
            logger.exception("job %s (%s): interrupted() failed for item %s", job.id, job.kind, item.id)
            step = Done(handler.error_result, UNEXPECTED)
    return settle(job, handler, item, step, count_retry=False)


def result_counts(job: Job) -> dict[str, int]:
    """Finished items per result (cancelled ones under "cancelled")."""
    rows = JobItem.objects.filter(job_id=job.id).exclude(result="").order_by().values_list("result")
    return dict(rows.annotate(n=Count("id")))


def finish_if_done(job: Job, now: datetime | None = None) -> bool:
    """Mark the job done once no item is open; exactly one caller wins and audits it."""
    if JobItem.objects.filter(job_id=job.id, state__in=OPEN_ITEM_STATES).exists():
        return False
    won = Job.objects.filter(id=job.id, state__in=UNFINISHED_JOB_STATES).update(
        state=JobState.DONE, finished_at=now or timezone.now()
    )
    if won:
        handler = handler_for(job.kind)
        try:
            handler.job_finished(job)
        except Exception:
            logger.exception("job %s (%s): job_finished failed", job.id, job.kind)
        params = {"job": job.id, "action": job.action, **result_counts(job), **handler.finished_params(job)}
        audit.record(job.partner, f"{handler.audit_prefix or job.kind}.finished", user=job.user, params=params)
    return bool(won)
