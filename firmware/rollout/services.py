"""Creating a rollout and its controls. Every control writes an audit entry: pause,
resume and cancel through the engine ("rollout.paused"...), the others here."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit import services as audit
from devices.models import Device
from jobs import services as jobs
from jobs.dispatch import chunk_ranges, send_chunks
from jobs.models import IN_FLIGHT_STEPS, UNFINISHED_JOB_STATES, ItemState, Job, JobItem, JobState
from jobs.services import create_job
from jobs.timing import dispatch_grace
from partners.models import Partner

from ..models import FirmwareImage, Rollout, RolloutResult
from ..services import Refused
from .handler import KIND
from .release import release_wave
from .targeting import runs_version
from .upgrade import WAITING_FOR_ROOM, held_until
from .waves import assign, plan_waves

# What a retried device keeps of its state: its wave, and what it ran before.
KEPT_ON_RETRY = ("wave", "sessions", "from_version")


@dataclass
class Plan:
    """A rollout's settings as an operator chose them (the create form's cleaned data)."""

    name: str
    canary: int = 0
    wave_size: int | None = None
    wave_percent: int | None = None
    max_in_flight: int | None = 10
    auto_advance_percent: int | None = None
    min_battery_percent: int = 20
    min_finished: int = 10
    max_failure_percent: int = 20
    file_check_limit: int = 3
    factory_reset: bool = False
    deadline: datetime | None = None
    starts_at: datetime | None = None
    window_start: time | None = None
    window_end: time | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def create_rollout(
    partner: Partner,
    user: Any,
    image: FirmwareImage,
    target_ids: list[int],
    plan: Plan,
    *,
    rolled_back_from: Rollout | None = None,
) -> Rollout:
    """Create and start a rollout: its job, one item per device, the first wave
    pending and the later ones held. Chunks are sent once this commits."""
    ids = sorted(set(target_ids))
    if not ids:
        raise Refused("No device to upgrade: the chosen devices are all excluded.")
    waves = plan_waves(len(ids), canary=plan.canary, size=plan.wave_size, percent=plan.wave_percent)
    with transaction.atomic():
        # Locked like delete_image does, so an image cannot go while a rollout takes it.
        if not FirmwareImage.objects.select_for_update().filter(id=image.id, partner=partner).exists():
            raise Refused("The image is no longer in the library.")
        job = create_job(
            partner,
            user,
            KIND,
            ids,
            action="upgrade",
            params={"image": image.id, "file_name": image.file_name, **plan.extra},
            max_in_flight=plan.max_in_flight,
        )
        rollout = Rollout.objects.create(
            partner=partner,
            job=job,
            image=image,
            name=plan.name,
            factory_reset=plan.factory_reset,
            waves=waves,
            auto_advance_percent=plan.auto_advance_percent,
            min_battery_percent=plan.min_battery_percent,
            min_finished=plan.min_finished,
            max_failure_percent=plan.max_failure_percent,
            file_check_limit=plan.file_check_limit,
            deadline=plan.deadline,
            starts_at=plan.starts_at,
            window_start=plan.window_start,
            window_end=plan.window_end,
            rolled_back_from=rolled_back_from,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        now = timezone.now()
        for wave, group in enumerate(assign(ids, waves)):
            items = JobItem.objects.filter(job=job, target_id__in=group)
            if wave == 0:
                items.update(data={"wave": 0})
                if plan.starts_at and plan.starts_at > now:
                    # Nothing is sent before the start time: the sweeper does it then.
                    items.update(state=ItemState.WAITING, next_at=plan.starts_at, message="Waits for the start time.")
                else:
                    _queue_beyond_cap(job, items, now)
            else:
                items.update(
                    data={"wave": wave},
                    state=ItemState.WAITING,
                    next_at=held_until(now),
                    message=f"Waits for wave {wave + 1}.",
                )
        audit.record(
            partner,
            "rollout.started",
            user=user,
            params={
                "job": job.id,
                "rollout": rollout.id,
                "image": image.file_name,
                "devices": len(ids),
                "waves": waves,
                "max_in_flight": plan.max_in_flight,
                "factory_reset": plan.factory_reset,
                "starts_at": plan.starts_at.isoformat() if plan.starts_at else None,
                "window": _window_text(plan),
                "rolled_back_from": rolled_back_from.id if rolled_back_from else None,
            },
        )
    return rollout


def _window_text(plan: Plan) -> str | None:
    if plan.window_start is None or plan.window_end is None:
        return None
    return f"{plan.window_start:%H:%M}-{plan.window_end:%H:%M}"


def _queue_beyond_cap(job: Job, items: QuerySet[JobItem], now: datetime) -> None:
    """The first wave's devices past the in-flight cap wait (due now) rather than
    pending: the sweeper sends them as room frees (upgrade.admit), so thousands of
    devices are not each claimed only to find no room."""
    if not job.max_in_flight:
        return
    first = list(items.order_by("id").values_list("id", flat=True)[: job.max_in_flight])
    items.exclude(id__in=first).update(
        state=ItemState.WAITING, next_at=now, data={"wave": 0, "room": True}, message=WAITING_FOR_ROOM
    )


def pause(rollout: Rollout, user: Any) -> bool:
    return jobs.pause(rollout.job, user)


def resume(rollout: Rollout, user: Any) -> bool:
    if not jobs.resume(rollout.job, user):
        return False
    Rollout.objects.filter(id=rollout.id).update(pause_reason="")
    rollout.pause_reason = ""
    return True


def cancel(rollout: Rollout, user: Any) -> bool:
    """No device starts any more; a device already upgrading cannot be stopped (the
    camera is installing the image): it is followed to its end and its outcome kept."""
    still = JobItem.objects.filter(
        job_id=rollout.job_id, state__in=(ItemState.WAITING, ItemState.RUNNING), data__step__in=IN_FLIGHT_STEPS
    )
    # By id: a negated JSON lookup would also spare items without a step (NULL in SQL).
    upgrading = list(still.values_list("id", flat=True))
    return jobs.cancel(rollout.job, user, keep=Q(id__in=upgrading), still_upgrading=len(upgrading))


def next_wave(rollout: Rollout, user: Any) -> int | None:
    """Start the next wave now. None when there is none, or the rollout has ended."""
    if Job.objects.filter(id=rollout.job_id).values_list("state", flat=True).first() not in UNFINISHED_JOB_STATES:
        return None
    return release_wave(rollout, rollout.current_wave, user=user)


def retry_failed(rollout: Rollout, user: Any) -> int:
    """Try the failed devices again (only those): they keep their wave; the rollout
    runs again if it had finished. Answers how many."""
    now = timezone.now()
    who = getattr(user, "username", "") or "someone"
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=rollout.job_id)
        if job.state == JobState.CANCELLED:
            return 0
        failed = list(JobItem.objects.filter(job_id=job.id, state=ItemState.DONE, result=RolloutResult.FAILED))
        if not failed:
            return 0
        for item in failed:
            item.data = {key: item.data[key] for key in KEPT_ON_RETRY if key in (item.data or {})}
            item.state, item.result, item.attempts = ItemState.PENDING, "", 0
            item.message = f"Retried by {who}."[:255]
            item.next_at, item.lease_until = now + dispatch_grace(), None
        JobItem.objects.bulk_update(
            failed, ["data", "state", "result", "attempts", "message", "next_at", "lease_until"], batch_size=1000
        )
        Job.objects.filter(id=job.id, state=JobState.DONE).update(state=JobState.RUNNING, finished_at=None)
        audit.record(
            rollout.partner,
            "rollout.retried",
            user=user,
            params={"job": job.id, "rollout": rollout.id, "devices": len(failed)},
        )
        ids = [item.id for item in failed]
        transaction.on_commit(partial(send_chunks, job.id, chunk_ranges(ids)), robust=True)
    return len(failed)


@dataclass
class RollBack:
    rollouts: list[Rollout]
    missing: int  # upgraded devices whose previous image is not in the library


def roll_back(rollout: Rollout, user: Any) -> RollBack:
    """A new rollout of each upgraded device's previous image, where the library has
    that image (one rollout per image); the others are counted, not touched."""
    upgraded = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.DONE, result=RolloutResult.SUCCEEDED)
    previous = dict(upgraded.values_list("target_id", "data__from_version"))
    models = dict(Device.objects.filter(partner=rollout.partner, id__in=list(previous)).values_list("id", "model"))
    library = list(FirmwareImage.objects.filter(partner=rollout.partner).exclude(version="").order_by("-id"))
    groups: dict[int, list[int]] = defaultdict(list)
    missing = 0
    for device_id, version in previous.items():
        image = next(
            (
                image
                for image in library
                if image.id != rollout.image_id
                and runs_version(str(version or ""), image.version)
                and (not image.target_models or models.get(device_id) in image.target_models)
            ),
            None,
        )
        if image is None or device_id not in models:
            missing += 1
        else:
            groups[image.id].append(device_id)
    images = {image.id: image for image in library}
    created = []
    with transaction.atomic():
        for image_id, ids in groups.items():
            image = images[image_id]
            plan = Plan(
                name=f"Roll back of “{rollout.name}” to {image.version}"[:100],
                max_in_flight=rollout.job.max_in_flight,
                min_battery_percent=rollout.min_battery_percent,
                min_finished=rollout.min_finished,
                max_failure_percent=rollout.max_failure_percent,
                file_check_limit=rollout.file_check_limit,
            )
            created.append(create_rollout(rollout.partner, user, image, ids, plan, rolled_back_from=rollout))
        audit.record(
            rollout.partner,
            "rollout.rolled_back",
            user=user,
            params={
                "job": rollout.job_id,
                "rollout": rollout.id,
                "new_rollouts": [r.id for r in created],
                "devices": sum(len(ids) for ids in groups.values()),
                "missing_image": missing,
            },
        )
    return RollBack(created, missing)
