"""What a handler's step writes on its item: shared by the per-item runner and the
batched one, so that both store a step the same way."""

import logging
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from .models import ItemState, Job, JobItem
from .registry import Done, Handler, Retry, Step, Wait

logger = logging.getLogger(__name__)

UNEXPECTED = "Unexpected error; the administrators were told."


def run_step(job: Job, handler: Handler, item: JobItem, context: Any) -> Step:
    """The handler's step for an item; a bug in it ends the item with the kind's error
    result (logged) instead of stopping the chunk. The soft time limit goes through:
    the caller stores the item as interrupted."""
    try:
        return handler.run(job, item, context)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("job %s (%s): item %s, target %s failed", job.id, job.kind, item.id, item.target_id)
        return Done(handler.error_result, UNEXPECTED)


def outcome(
    job: Job, handler: Handler, item: JobItem, step: Step, *, count_retry: bool = True
) -> tuple[dict[str, Any], bool]:
    """The fields a step writes on its running item, and whether it finishes the item
    (a Retry whose tries ran out becomes a Done with the kind's error result)."""
    now = timezone.now()
    if isinstance(step, Retry):
        attempts = item.attempts + 1 if count_retry else item.attempts
        if attempts < job.max_attempts:
            fields: dict[str, Any] = {
                "state": ItemState.WAITING,
                "attempts": attempts,
                "message": step.message[:255],
                "next_at": now + step.after,
                "lease_until": None,
                "updated_at": now,
            }
            if step.data is not None:
                fields["data"] = step.data
            return fields, False
        message = f"Gave up after {attempts} attempt{'s' if attempts != 1 else ''}: {step.message}"
        step, item.attempts = Done(handler.error_result, message, step.data), attempts
    if isinstance(step, Wait):
        return {
            "state": ItemState.WAITING,
            "next_at": step.next_at,
            "data": step.data,
            "message": step.message[:255],
            "lease_until": None,
            "updated_at": now,
        }, False
    fields = {
        "state": ItemState.DONE,
        "result": step.result,
        "message": step.message[:255],
        "attempts": item.attempts,
        "lease_until": None,
        "next_at": None,
        "updated_at": now,
    }
    if step.data is not None:
        fields["data"] = step.data
    return fields, True
