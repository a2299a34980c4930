"""A scripted kind of job for the engine's own tests, registered through the same
registry features use: each target's script (job.params["steps"]) says what its
handler answers run after run. Every run writes an audit entry, so a test counts
what really ran from the database."""

import time
from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEntry
from jobs import sweeper
from jobs.models import ItemState, Job, JobItem
from jobs.registry import Done, Handler, Retry, Step, Target, Wait, register
from jobs.services import create_job, pause
from rop_fleet.celery import app

SCRIPT = "script"


class ScriptHandler(Handler):
    kind = SCRIPT
    results = (("ok", "OK"), ("failed", "Failed"), ("error", "Error"))
    audit_prefix = "script"

    def title(self, job: Job) -> str:
        return f"Scripted job {job.action}".strip()

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        runs = AuditEntry.objects.filter(action="script.ran", params__item=item.id).count()
        running = JobItem.objects.filter(job_id=job.id, state=ItemState.RUNNING).count()
        audit.record(job.partner, "script.ran", params={"item": item.id, "running": running})
        script = job.params["steps"][str(item.target_id)]
        step = script[min(runs, len(script) - 1)]
        if step == "retry":
            return Retry(timedelta(seconds=0), "Not yet.")
        if step == "wait":
            return Wait(timezone.now(), {"waited": runs + 1}, "Checking again later.")
        if step == "boom":
            raise RuntimeError("scripted failure")
        if step.startswith("sleep:"):
            time.sleep(float(step.split(":")[1]))
            return Done("ok", f"running={running}")
        return Done(step.split(":")[1], f"data={item.data}")

    def item_finished(self, job: Job, item: JobItem) -> None:
        # A failure threshold, as rollouts will have: pause once this many items failed.
        limit = job.params.get("pause_after_failures")
        if limit and JobItem.objects.filter(job_id=job.id, result="failed").count() >= limit:
            pause(job, None)

    def targets(self, job: Job, target_ids: Any) -> dict[int, Target]:
        return {t: Target(label=f"Target {t}", code=str(t)) for t in target_ids}


register(ScriptHandler())

BATCHED = "script_batched"


class BatchedScriptHandler(ScriptHandler):
    """The same scripts on the batched runner (jobs/batched.py), with three more steps:
    "pause" pauses the job, "steal" has the item taken from its worker (as a sweep does
    with an expired lease), "soft_limit" is the chunk's soft time limit arriving."""

    kind = BATCHED
    audit_prefix = "script_batched"
    batched = True

    def prepare(self, job: Job, items: list[JobItem], context: Any) -> None:
        audit.record(job.partner, "script.prepared", params={"items": [item.id for item in items]})

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        step = job.params["steps"][str(item.target_id)][0]
        if step == "soft_limit":
            raise SoftTimeLimitExceeded()
        if step not in ("pause", "steal"):
            return super().run(job, item, context)
        audit.record(job.partner, "script.ran", params={"item": item.id})
        if step == "pause":
            pause(job, None)
        else:
            JobItem.objects.filter(id=item.id).update(lease_until=timezone.now() + timedelta(hours=1))
        return Done("ok", step)

    def after_write(self, job: Job, finished: list[JobItem], context: Any) -> None:
        audit.record(job.partner, "script.written", params={"finished": [item.id for item in finished]})


register(BatchedScriptHandler())


@pytest.fixture
def eager(monkeypatch):
    """Chunk tasks run inline where they are sent (Celery's eager mode, CELERY_TASK_ALWAYS_EAGER),
    so a sweep's dispatch runs the chunks before it returns."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def scripted_job(partner, steps: dict[int, list[str]], kind: str = SCRIPT, **kwargs: Any) -> Job:
    return create_job(
        partner, None, kind, list(steps), params={"steps": {str(t): s for t, s in steps.items()}}, **kwargs
    )


def sweep_later(seconds: float = 3600):
    """A sweep as it runs once the dispatch grace of every item sent so far has passed."""
    return sweeper.sweep(timezone.now() + timedelta(seconds=seconds))


def runs(item: JobItem) -> int:
    return AuditEntry.objects.filter(action="script.ran", params__item=item.id).count()
