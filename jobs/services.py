"""Starting, cancelling, pausing and resuming jobs (any kind). Chunk tasks are sent
on commit, by name (jobs.dispatch), so nothing here imports a task module."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit

from .dispatch import chunk_ranges, send_chunks
from .models import CANCELLED_RESULT, RUNNABLE_JOB_STATES, UNFINISHED_JOB_STATES, ItemState, Job, JobItem, JobState
from .registry import handler_for
from .timing import dispatch_grace

CANCELLED = CANCELLED_RESULT


def create_job(
    partner: Any,
    user: Any,
    kind: str,
    target_ids: Sequence[int],
    *,
    action: str = "",
    params: dict[str, Any] | None = None,
    max_in_flight: int | None = None,
    max_attempts: int = 3,
) -> Job:
    """A job and one pending item per target, in the caller's transaction; its chunks
    are sent once that commits (never for a rolled-back job)."""
    handler_for(kind)  # an unknown kind fails here, not on a worker
    with transaction.atomic():
        job = Job.objects.create(
            partner=partner,
            user=user if (user is not None and user.is_authenticated) else None,
            kind=kind,
            action=action,
            params=params or {},
            total=len(target_ids),
            max_in_flight=max_in_flight,
            max_attempts=max_attempts,
        )
        deadline = timezone.now() + dispatch_grace()
        items = JobItem.objects.bulk_create(
            [JobItem(job=job, target_id=target_id, next_at=deadline) for target_id in target_ids], batch_size=2000
        )
        ids = [item.id for item in items if item.id is not None]
        if len(ids) != len(items):  # a backend that does not return ids
            ids = list(JobItem.objects.filter(job=job).values_list("id", flat=True))
        transaction.on_commit(partial(send_chunks, job.id, chunk_ranges(ids)), robust=True)
    return job


def _audit(job: Job, what: str, user: Any, **params: Any) -> None:
    prefix = handler_for(job.kind).audit_prefix or job.kind
    audit.record(job.partner, f"{prefix}.{what}", user=user, params={"job": job.id, "action": job.action, **params})


def cancel(job: Job, user: Any, *, keep: Q | None = None, **audit_params: Any) -> bool:
    """Stop a job: items not yet taken are cancelled; running ones finish their call.
    `keep`: waiting items that are not cancelled but followed to their end (a kind whose
    work, once started, cannot be stopped: a device upgrading); the sweeper still sends
    them, and their results are recorded, while the job reads "cancelled"."""
    now = timezone.now()
    with transaction.atomic():
        won = Job.objects.filter(id=job.id, state__in=UNFINISHED_JOB_STATES).update(
            state=JobState.CANCELLED, finished_at=now
        )
        if not won:
            return False
        who = getattr(user, "username", "") or "someone"
        open_items = JobItem.objects.filter(job_id=job.id, state__in=(ItemState.PENDING, ItemState.WAITING))
        if keep is not None:
            open_items = open_items.exclude(keep)
        cancelled = open_items.update(
            state=ItemState.CANCELLED,
            result=CANCELLED,
            message=f"Cancelled by {who} before it ran."[:255],
            next_at=None,
            updated_at=now,
        )
        _audit(job, "cancelled", user, cancelled_items=cancelled, **audit_params)
    job.state, job.finished_at = JobState.CANCELLED, now
    return True


def pause(job: Job, user: Any) -> bool:
    """Workers take no more items; running ones finish. Items keep their place."""
    with transaction.atomic():
        if not Job.objects.filter(id=job.id, state__in=RUNNABLE_JOB_STATES).update(state=JobState.PAUSED):
            return False
        _audit(job, "paused", user)
    job.state = JobState.PAUSED
    return True


def resume(job: Job, user: Any) -> bool:
    """Back to running: the pending items are sent again at once (waiting ones when due)."""
    now = timezone.now()
    with transaction.atomic():
        if not Job.objects.filter(id=job.id, state=JobState.PAUSED).update(state=JobState.RUNNING):
            return False
        pending = JobItem.objects.filter(job_id=job.id, state=ItemState.PENDING)
        ids = list(pending.values_list("id", flat=True))
        pending.update(next_at=now + dispatch_grace(), updated_at=now)
        _audit(job, "resumed", user)
        transaction.on_commit(partial(send_chunks, job.id, chunk_ranges(ids)), robust=True)
    job.state = JobState.RUNNING
    return True
