"""Sending chunk tasks. The task is looked up by name in the Celery app, so the
engine's services never import jobs.tasks (which imports them)."""

import logging

from celery import current_app

from .models import JobItem

logger = logging.getLogger(__name__)

CHUNK_TASK = "jobs.tasks.run_chunk"
# Items per chunk task: many workers share a big job, and a lost chunk costs little.
CHUNK_SIZE = 50


def chunk_ranges(item_ids: list[int], size: int | None = None) -> list[tuple[int, int]]:
    """(first id, last id) of consecutive runs of `size` items; a task's whole argument."""
    size = size or CHUNK_SIZE
    ids = sorted(item_ids)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def job_chunk_ranges(job_id: int) -> list[tuple[int, int]]:
    return chunk_ranges(list(JobItem.objects.filter(job_id=job_id).values_list("id", flat=True)))


def send_chunks(job_id: int, ranges: list[tuple[int, int]]) -> int:
    """Enqueue one chunk task per range; answers how many left. A broker that refuses
    is logged, not raised: the items keep their dispatch deadline, and the sweeper
    sends them again once it passes, so a failed enqueue delays a job, never loses it."""
    if CHUNK_TASK not in current_app.tasks:
        # A web process has not imported the task modules yet: autodiscover them as a worker
        # does at start, rather than import jobs.tasks here (it imports this module's users).
        current_app.loader.import_default_modules()
    task = current_app.tasks[CHUNK_TASK]
    for sent, (first, last) in enumerate(ranges):
        try:
            task.apply_async((job_id, first, last))
        except Exception:
            logger.exception("job %s: could not enqueue chunk %s-%s; the sweeper will resend it", job_id, first, last)
            return sent
    return len(ranges)
