"""After each device: the failure rules (pause the rollout by itself) and waves that
advance by themselves. Low battery, offline and asleep devices never count as
failures: they end deferred or skipped, not failed."""

from django.db.models import Count, Q

from audit import services as audit
from jobs.models import RUNNABLE_JOB_STATES, ItemState, Job, JobItem
from jobs.services import pause

from ..models import Rollout, RolloutResult
from .release import release_wave

FINISHED = (RolloutResult.SUCCEEDED, RolloutResult.SAME_VERSION, RolloutResult.FAILED)
GOOD = (RolloutResult.SUCCEEDED, RolloutResult.SAME_VERSION)


def failure_breach(rollout: Rollout) -> str:
    """Why the rollout must stop now, or ""."""
    counts = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.DONE).aggregate(
        finished=Count("id", filter=Q(result__in=FINISHED)),
        failed=Count("id", filter=Q(result=RolloutResult.FAILED)),
        bad_image=Count("id", filter=Q(result=RolloutResult.FAILED, data__reason="file_check_failed")),
    )
    if counts["bad_image"] >= rollout.file_check_limit:
        return f"{counts['bad_image']} devices rejected the image (file_check_failed)."
    finished, failed = counts["finished"], counts["failed"]
    if finished >= rollout.min_finished and failed * 100 >= rollout.max_failure_percent * finished:
        return f"{failed} of {finished} finished devices failed (the rule pauses at {rollout.max_failure_percent} %)."
    return ""


def after_items(job: Job, rollout: Rollout, results: set[str]) -> None:
    """After devices finished with these results (one write of a chunk's steps)."""
    if RolloutResult.FAILED in results:
        reason = failure_breach(rollout)
        if reason:
            auto_pause(job, rollout, reason)
            return
    if rollout.auto_advance_percent is not None:
        advance_if_due(job, rollout)


def auto_pause(job: Job, rollout: Rollout, reason: str) -> None:
    if pause(job, None):
        Rollout.objects.filter(id=rollout.id).update(pause_reason=reason[:255])
        audit.record(job.partner, "rollout.auto_paused", params={"job": job.id, "rollout": rollout.id}, message=reason)


def wave_done(rollout: Rollout, wave: int) -> tuple[bool, int, int]:
    """(no device of the wave is open, how many ended well, how many it has)."""
    items = JobItem.objects.filter(job_id=rollout.job_id, data__wave=wave)
    counts = items.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(state__in=(ItemState.PENDING, ItemState.RUNNING, ItemState.WAITING))),
        good=Count("id", filter=Q(result__in=GOOD)),
    )
    return counts["open"] == 0, counts["good"], counts["total"]


def advance_if_due(job: Job, rollout: Rollout) -> None:
    """The current wave ended with at least auto_advance_percent upgraded: start the next."""
    fresh = Rollout.objects.filter(id=rollout.id).values_list("current_wave", flat=True).first()
    if fresh is None or fresh + 1 >= len(rollout.waves):
        return
    if Job.objects.filter(id=job.id).values_list("state", flat=True).first() not in RUNNABLE_JOB_STATES:
        return
    finished, good, total = wave_done(rollout, fresh)
    if finished and total and good * 100 >= (rollout.auto_advance_percent or 0) * total:
        release_wave(rollout, fresh, user=None)
