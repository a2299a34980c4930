"""The engine's tasks (the logic is in runner and sweeper). Ids only; acks_late with
explicit limits. A chunk delivered twice does nothing twice (runner claims each item);
a chunk cut at its soft limit retries itself for the items it did not reach."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import runner, sweeper
from .timing import CHUNK_SOFT_TIME_LIMIT, CHUNK_TIME_LIMIT


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=CHUNK_SOFT_TIME_LIMIT,
    time_limit=CHUNK_TIME_LIMIT,
    max_retries=10,
    ignore_result=True,
)
def run_chunk(self, job_id: int, first_item_id: int, last_item_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        runner.run_chunk(job_id, first_item_id, last_item_id)
    except SoftTimeLimitExceeded:
        raise self.retry(countdown=1) from None


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def sweep() -> None:
    sweeper.sweep()
