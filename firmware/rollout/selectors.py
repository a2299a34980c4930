"""What the rollout pages show: the list, and one rollout's progress (a bar per
result, devices per minute, ETA, the wave) and its devices."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from core.pagination import id_page
from devices.models import Device
from jobs import selectors as job_selectors
from jobs.models import OPEN_ITEM_STATES, ItemState, JobItem, JobState
from jobs.registry import Target
from partners.models import Partner

from ..models import Rollout, RolloutResult, UpgradeTiming
from . import learning, timing
from .handler import RolloutHandler

ROLLOUTS_PAGE_SIZE = 50
DEVICES_PAGE_SIZE = 100
# Devices per minute are measured over this much of the recent past.
RATE_WINDOW = timedelta(minutes=10)


def partner_rollouts(partner: Partner) -> QuerySet[Rollout]:
    """Every rollout of the partner, with its job, image and author (the list page and the API)."""
    return Rollout.objects.filter(partner=partner).select_related("job", "image", "created_by")


def rollouts_page(partner: Partner, after: int | None = None) -> tuple[list[Rollout], int | None]:
    rollouts, next_after = id_page(partner_rollouts(partner), ROLLOUTS_PAGE_SIZE, after, newest_first=True)
    finished = dict(
        JobItem.objects.filter(job__in=[r.job_id for r in rollouts])
        .exclude(state__in=OPEN_ITEM_STATES)
        .order_by()
        .values_list("job_id")
        .annotate(n=Count("id"))
    )
    for rollout in rollouts:
        rollout.finished = finished.get(rollout.job_id, 0)
    return rollouts, next_after


@dataclass
class Bar:
    value: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass
class Typical:
    """What is known of how long one model's upgrades of this image take."""

    model: str
    size: str
    learnt: UpgradeTiming | None


def typical_upgrades(rollout: Rollout) -> list[Typical]:
    """Per model among the rollout's devices: the learnt upgrade time for the image's size."""
    klass = timing.size_class(rollout.image.size)
    target_ids = JobItem.objects.filter(job_id=rollout.job_id).values("target_id")
    models = sorted(
        set(Device.objects.filter(partner_id=rollout.partner_id, id__in=target_ids).values_list("model", flat=True))
    )
    rows = {
        row.model: row
        for row in UpgradeTiming.objects.filter(partner_id=rollout.partner_id, size_class=klass, model__in=models)
    }
    size = timing.size_class_label(klass)
    return [Typical(model or "unknown model", size, rows.get(model)) for model in models]


def _open_to_run(rollout: Rollout, progress: job_selectors.Progress) -> int:
    """Devices still to upgrade before the rollout can end by itself: every open one when
    the waves advance by themselves, else those of the current wave."""
    if rollout.auto_advance_percent or rollout.current_wave + 1 >= len(rollout.waves):
        return progress.open
    return JobItem.objects.filter(
        job_id=rollout.job_id, state__in=OPEN_ITEM_STATES, data__wave__lte=rollout.current_wave
    ).count()


def estimated_end(
    rollout: Rollout, progress: job_selectors.Progress, typicals: list[Typical], now: datetime
) -> datetime | None:
    """From the learnt upgrade time (the slowest model's, where most upgrades are over),
    the devices upgrading now and since when, the most in flight and the partner's request
    budget (learning.seconds_left). None while a model's time is not learnt yet."""
    if not typicals or any(t.learnt is None for t in typicals):
        return None
    remaining = _open_to_run(rollout, progress)
    if not remaining:
        return None
    started = JobItem.objects.filter(
        job_id=rollout.job_id, state__in=OPEN_ITEM_STATES, data__step__in=("upgrading", "adopted")
    ).values_list("data__started", flat=True)
    upgrading = [now.timestamp() - float(at) for at in started if isinstance(at, int | float)]
    upgrade = max(t.learnt.high_seconds for t in typicals if t.learnt is not None)
    budget = float(rollout.partner.request_budget or 0)
    waiting = max(remaining - len(upgrading), 0)
    seconds = learning.seconds_left(waiting, upgrading, rollout.job.max_in_flight, upgrade, budget)
    return now + timedelta(seconds=seconds)


@dataclass
class RolloutProgress:
    progress: job_selectors.Progress
    bars: list[Bar]
    per_minute: float | None
    eta: datetime | None  # None too while the rollout waits for a person
    live: bool
    upgrading: int
    typicals: list[Typical]
    headline: str = ""  # the rollout's state in words: what it does or waits for
    next_check: str = ""  # when the devices upgrading now are next asked how far they are
    waits_for_person: bool = False


def _about(seconds: float) -> str:
    """A wait in the words people use: "in a few seconds", "in about a minute", "in about 6 minutes"."""
    if seconds < 20:
        return "in a few seconds"
    if seconds < 90:
        return "in about a minute"
    if seconds < 90 * 60:
        return f"in about {round(seconds / 60)} minutes"
    hours = round(seconds / 3600)
    return f"in about {hours} hour{'s' if hours != 1 else ''}"


def _devices(n: int) -> str:
    return f"{n} device{'s' if n != 1 else ''}"


def _waits_for_next_wave(rollout: Rollout, progress: job_selectors.Progress) -> int:
    """Devices waiting for someone to press "Next wave": the current wave is over, more
    waves follow and they do not start by themselves. 0 otherwise."""
    if rollout.auto_advance_percent or rollout.current_wave + 1 >= len(rollout.waves) or not progress.open:
        return 0
    if _open_to_run(rollout, progress):
        return 0
    return progress.open


def _headline(rollout: Rollout, progress: job_selectors.Progress, upgrading: int, waiting: int, now: datetime) -> str:
    job, wave = rollout.job, rollout.current_wave + 1
    if job.state == JobState.DONE:
        return "Finished."
    if job.state == JobState.CANCELLED:
        return "Cancelled."
    if job.state == JobState.PAUSED:
        return "Paused: no device starts until someone presses Resume."
    if waiting:
        return f"Wave {wave} done: {_devices(waiting)} wait for Next wave."
    if rollout.starts_at and rollout.starts_at > now:
        return f"Waiting for its start time: {_devices(progress.open)} to upgrade."
    if upgrading:
        return f"Wave {wave} of {rollout.wave_count}: {_devices(upgrading)} upgrading."
    return f"Wave {wave} of {rollout.wave_count}: starting devices."


def _next_check(job_id: int, now: datetime) -> str:
    """When the console next reads the upgrading devices' status: "First status check in
    about a minute" while none of them has been read yet."""
    upgrading = list(
        JobItem.objects.filter(
            job_id=job_id, state=ItemState.WAITING, data__step__in=("upgrading", "adopted"), next_at__isnull=False
        ).values_list("next_at", "data__checks")[:1000]
    )
    if not upgrading:
        return ""
    soonest = min(at for at, _ in upgrading if at is not None)
    first = all(not checks for _, checks in upgrading)
    return f"{'First' if first else 'Next'} status check {_about(max(0.0, (soonest - now).total_seconds()))}."


def rollout_progress(rollout: Rollout, now: datetime | None = None) -> RolloutProgress:
    job = rollout.job
    now = now or timezone.now()
    progress = job_selectors.progress(job)
    total = job.total
    bars = [Bar(value, str(label), progress.results.get(value, 0), total) for value, label in RolloutResult.choices]
    bars += [
        Bar(ItemState.WAITING.value, "Waiting", progress.states[ItemState.WAITING], total),
        Bar(ItemState.PENDING.value, "Not started", progress.states[ItemState.PENDING], total),
    ]
    since = max(job.started_at or job.created_at, now - RATE_WINDOW)
    recent = JobItem.objects.filter(job_id=job.id, state=ItemState.DONE, updated_at__gte=since).count()
    minutes = max((now - since).total_seconds() / 60, 1 / 60)
    per_minute = round(recent / minutes, 1) if job.started_at else None
    waiting = _waits_for_next_wave(rollout, progress) if job.state in (JobState.QUEUED, JobState.RUNNING) else 0
    # No finish time while it waits for a person: nobody knows when they will press.
    running = job.state in (JobState.QUEUED, JobState.RUNNING) and not waiting
    typicals = typical_upgrades(rollout)
    eta = estimated_end(rollout, progress, typicals, now) if running else None
    if eta is None and per_minute and progress.open and running:
        eta = now + timedelta(minutes=progress.open / per_minute)
    upgrading = JobItem.objects.filter(
        job_id=job.id, state__in=(ItemState.RUNNING, ItemState.WAITING), data__step__in=("upgrading", "adopted")
    ).count()
    return RolloutProgress(
        progress=progress,
        bars=[bar for bar in bars if bar.count],
        per_minute=per_minute,
        eta=eta,
        live=job_selectors.is_live(job, progress),
        upgrading=upgrading,
        typicals=typicals,
        headline=_headline(rollout, progress, upgrading, waiting, now),
        next_check=_next_check(job.id, now) if upgrading and job.state != JobState.CANCELLED else "",
        waits_for_person=bool(waiting),
    )


@dataclass
class DeviceRow:
    item: JobItem
    target: Target
    wave: int
    label: str


def device_rows(rollout: Rollout, show: str = "", after: int | None = None) -> tuple[list[DeviceRow], int | None]:
    """A keyset page of the rollout's devices, filtered by an open state or a result."""
    qs: QuerySet[JobItem] = JobItem.objects.filter(job_id=rollout.job_id)
    if show in OPEN_ITEM_STATES:
        qs = qs.filter(state=show)
    elif show:
        qs = qs.filter(result=show)
    items, next_after = id_page(qs, DEVICES_PAGE_SIZE, after)
    targets = RolloutHandler().targets(rollout.job, [i.target_id for i in items])
    labels: dict[str, Any] = dict(RolloutResult.choices)
    rows = [
        DeviceRow(
            item=item,
            target=targets.get(item.target_id, Target(label=f"#{item.target_id}")),
            wave=int((item.data or {}).get("wave", 0)) + 1,
            label=str(labels.get(item.result, item.result)) if item.result else _open_label(item),
        )
        for item in items
    ]
    return rows, next_after


def _open_label(item: JobItem) -> str:
    step = (item.data or {}).get("step")
    if step in ("upgrading", "adopted"):
        return "Upgrading"
    if step == "creating":
        return "Starting"
    return str(item.get_state_display())


def valid_filter(rollout: Rollout, value: str) -> str:
    return job_selectors.valid_filter(rollout.job, value)
