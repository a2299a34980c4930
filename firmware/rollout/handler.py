"""The engine's "rollout" kind: one device's upgrade per item (upgrade.py)."""

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from devices.job_targets import device_targets
from jobs.models import Job, JobItem
from jobs.registry import Handler, Step, Target
from partners.rop_clients import rop_client_for

from ..models import Rollout, RolloutResult
from . import confirm, reads, release, rules, upgrade

KIND = "rollout"


class RolloutHandler(Handler):
    kind = KIND
    results = tuple((value, label) for value, label in RolloutResult.choices)
    error_result = RolloutResult.FAILED
    audit_prefix = "rollout"
    # Reads of upgrades never wait for room; starting one counts under the lock (upgrade._take_room).
    caps_itself = True
    # Each step is one request: a chunk's items are claimed and stored together (jobs/batched.py).
    batched = True

    def title(self, job: Job) -> str:
        rollout = Rollout.objects.filter(job_id=job.id).select_related("image").first()
        return f"Rollout “{rollout.name}” of {rollout.image.file_name}" if rollout else "Firmware rollout"

    @contextlib.contextmanager
    def chunk(self, job: Job) -> Iterator[Any]:
        rollout = Rollout.objects.select_related("image", "partner").get(job_id=job.id)
        # One Core Server connection pool for the whole chunk.
        with rop_client_for(job.partner) as client:
            yield upgrade.Context(rollout, client)

    def prepare(self, job: Job, items: list[JobItem], context: Any) -> None:
        upgrade.prepare(context, job, items)

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        return upgrade.step(context, job, item)

    def admit(self, job: Job, item_ids: list[int]) -> list[int]:
        return upgrade.admit(job, item_ids)

    def interrupted(self, job: Job, item: JobItem, *, timed_out: bool = False) -> Step:
        # Never a failure: the stored step says what to read again.
        return upgrade.interrupted(item)

    def item_finished(self, job: Job, item: JobItem) -> None:
        # A place in flight may have come free.
        release.wake_waiters(job.id)
        rollout = Rollout.objects.filter(job_id=job.id).first()
        if rollout is not None:
            rules.after_items(job, rollout, {item.result})

    def after_write(self, job: Job, finished: list[JobItem], context: Any) -> None:
        # As many places in flight came free as devices finished or left the flight
        # waiting (offline, low battery): as many devices waiting for room go now.
        freed, context.left_flight = len(finished) + context.left_flight, 0
        if freed:
            release.wake_waiters(job.id, freed)
        if finished:
            rules.after_items(job, context.rollout, {item.result for item in finished})
        # What the finished scouts and probes measured: reads brought forward, and kept
        # for the next rollout of the model.
        reads.learn(job, finished, context.parked)
        context.parked = set()

    def job_finished(self, job: Job) -> None:
        rollout = Rollout.objects.filter(job_id=job.id).select_related("image", "partner").first()
        if rollout is not None:
            confirm.confirm_versions(rollout)

    def targets(self, job: Job, target_ids: Iterable[int]) -> dict[int, Target]:
        return device_targets(job, target_ids)

    def finished_params(self, job: Job) -> dict[str, Any]:
        rollout = Rollout.objects.filter(job_id=job.id).select_related("image").first()
        if rollout is None:
            return {}
        confirmed = JobItem.objects.filter(job_id=job.id, data__confirmed=True).count()
        return {"rollout": rollout.id, "image": rollout.image.file_name, "confirmed": confirmed}
