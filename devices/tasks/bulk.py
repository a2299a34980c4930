"""The bulk job task: one chunk of a job's items (the logic is in devices.bulk),
and enqueueing a started job's chunks.

Takes ids only. acks_late (the app default, stated here too) means a worker that
dies mid-chunk hands the chunk to another; the per-item claim keeps that from
redoing anything. A chunk that hits its soft time limit retries itself for the
items it did not reach."""

from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .. import bulk

# 50 devices at a few seconds each (wake-ups, the partner's request budget) fit well
# inside the soft limit; a slower chunk is cut there and resumed by a retry.
SOFT_TIME_LIMIT = 240
TIME_LIMIT = 300


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_retries=10,
    ignore_result=True,
)
def run_bulk_job_chunk(self: Task[Any, None], job_id: int, first_item_id: int, last_item_id: int) -> None:
    try:
        bulk.run_chunk(job_id, first_item_id, last_item_id)
    except SoftTimeLimitExceeded:
        raise self.retry(countdown=1) from None


def enqueue_job(job_id: int) -> None:
    """One task per chunk of the job's items. Called once the job is committed
    (transaction.on_commit), so that a worker never looks for items not there yet."""
    for first, last in bulk.job_chunk_ranges(job_id):
        run_bulk_job_chunk.delay(job_id, first, last)
