"""Firmware tasks: thin, ids only; the logic is in firmware.pushing.

A push of a gigabyte takes minutes, so it never runs in a web request. acks_late
(the app default, stated here too): a worker that dies mid-push hands the task to
another. While another worker holds the push (or a dead one's claim has not yet
gone stale, pushing.PUSH_TIME_LIMIT_SECONDS) the task looks again a minute later."""

from typing import Any

from celery import shared_task

from . import pushing, uploads

RETRY_SECONDS = 60


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=pushing.PUSH_TIME_LIMIT_SECONDS,
    soft_time_limit=pushing.PUSH_TIME_LIMIT_SECONDS - 60,
    max_retries=pushing.PUSH_TIME_LIMIT_SECONDS // RETRY_SECONDS + 5,
    ignore_result=True,
)
def push_image_task(self: Any, image_id: int, user_id: int | None = None) -> None:
    outcome = pushing.push_image(image_id, user_id=user_id)
    if outcome.result == "busy":
        raise self.retry(countdown=RETRY_SECONDS)


@shared_task(ignore_result=True, time_limit=300)
def sweep_incoming_uploads() -> None:
    """Temporary files of uploads a dead server never finished (beat, hourly)."""
    uploads.sweep_incoming()
