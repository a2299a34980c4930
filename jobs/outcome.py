"""What a handler's step writes on its item: shared by the per-item runner and the
batched one, so that both store a step the same way."""

from typing import Any

from django.utils import timezone

from .models import ItemState, Job, JobItem
from .registry import Done, Handler, Retry, Step, Wait

UNEXPECTED = "Unexpected error; the administrators were told."


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
