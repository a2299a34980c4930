"""The reconciler, run by beat every few seconds (jobs.tasks.sweep). It is what makes
a job end even when its tasks do not:

(a) waiting items that are due, and pending items whose chunk task never came (lost
    with a worker or a broker, or never sent because the enqueue failed), of jobs
    that run: they get a new dispatch deadline and chunk tasks;
(b) running items whose lease expired (their worker died): handler.interrupted says
    what they become, or they are given up once their tries ran out;
(c) unfinished jobs with no open item: closed, exactly once, and audited.

Every step is a conditional UPDATE, so two sweeps at once, or a sweep racing a
worker, do each thing once."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .dispatch import chunk_ranges, send_chunks
from .models import (
    OPEN_ITEM_STATES,
    TAKING_JOB_STATES,
    UNFINISHED_JOB_STATES,
    ItemState,
    Job,
    JobItem,
)
from .registry import handler_for
from .runner import finish_if_done, reclaim
from .timing import dispatch_grace

logger = logging.getLogger(__name__)

# Bounds on one sweep's work; the next sweep takes the rest.
MAX_DISPATCH = 10_000
MAX_RECLAIM = 500


@dataclass
class SweepReport:
    dispatched: int = 0
    reclaimed: int = 0
    finished: int = 0


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    report.reclaimed = reclaim_expired(now)
    report.dispatched = dispatch_due(now)
    report.finished = finish_idle_jobs()
    return report


def reclaim_expired(now: datetime) -> int:
    expired = (
        JobItem.objects.filter(state=ItemState.RUNNING)
        .filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True))
        .order_by("id")[:MAX_RECLAIM]
    )
    jobs: dict[int, Job] = {}
    done = 0
    for item in expired:
        # One job that cannot be handled (a kind no longer registered...) never stops the sweep for others.
        try:
            job = jobs.get(item.job_id)
            if job is None:
                job = jobs[item.job_id] = Job.objects.select_related("partner", "user").get(id=item.job_id)
            done += reclaim(job, handler_for(job.kind), item)
        except Exception:
            logger.exception("sweep: could not reclaim item %s of job %s", item.id, item.job_id)
    return done


def due_items(now: datetime) -> list[tuple[int, int]]:
    """(job id, item id) of what is due, at most MAX_DISPATCH: waiting items first, the
    longest overdue first (a rollout's session reads, retries), then pending ones. A
    big rollout keeps thousands of devices pending that it has no room for yet; they
    must never crowd the reads that free room out of one sweep's bound."""
    live = JobItem.objects.filter(job__state__in=TAKING_JOB_STATES)
    waiting = live.filter(state=ItemState.WAITING, next_at__lte=now).order_by("next_at", "id")
    due = list(waiting.values_list("job_id", "id")[:MAX_DISPATCH])
    if len(due) < MAX_DISPATCH:
        pending = live.filter(Q(next_at__lte=now) | Q(next_at__isnull=True), state=ItemState.PENDING).order_by("id")
        due += pending.values_list("job_id", "id")[: MAX_DISPATCH - len(due)]
    return due


def dispatch_due(now: datetime) -> int:
    by_job: dict[int, list[int]] = defaultdict(list)
    for job_id, item_id in due_items(now):
        by_job[job_id].append(item_id)
    sent = 0
    for job_id, ids in by_job.items():
        job = Job.objects.filter(id=job_id).first()
        if job is None:
            continue
        try:
            ids = handler_for(job.kind).admit(job, ids)
        except Exception:
            logger.exception("sweep: could not choose the items of job %s to send", job_id)
            continue
        if not ids:
            continue
        deadline = now + dispatch_grace()
        # Conditions on each item's own row only, so that a concurrent sweep or claim
        # is re-checked by the database rather than overwritten.
        JobItem.objects.filter(id__in=ids, state=ItemState.WAITING, next_at__lte=now).update(
            state=ItemState.PENDING, next_at=deadline, updated_at=now
        )
        JobItem.objects.filter(id__in=ids, state=ItemState.PENDING).filter(
            Q(next_at__lte=now) | Q(next_at__isnull=True)
        ).update(next_at=deadline, updated_at=now)
        send_chunks(job_id, chunk_ranges(ids))
        sent += len(ids)
    return sent


def finish_idle_jobs() -> int:
    open_items = JobItem.objects.filter(job_id=OuterRef("id"), state__in=OPEN_ITEM_STATES)
    idle = (
        Job.objects.filter(state__in=UNFINISHED_JOB_STATES)
        .exclude(Exists(open_items))
        .select_related("partner", "user")
    )
    finished = 0
    for job in idle:
        try:
            finished += finish_if_done(job)
        except Exception:
            logger.exception("sweep: could not close job %s", job.id)
    return finished
