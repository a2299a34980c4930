"""When the rollout reads each upgrade session: learning.py's schedule on the job's
items. Each item's data carries what the schedule needs: `timing` (its class: model
and image size), `role` and `index` (learning.role_for), `started` (when the session's
answer came back, epoch seconds), `checks` and `lo` (reads that found it running, and
the time after the start of the last), `hi` (when a read found it over), `parked` (no
read planned but the one before the session expires).

A chunk reads what it needs once per class (ClassReads); after each write of a chunk,
learn() stores what the finished scouts and probes measured (UpgradeTiming, for the
next rollout of that model) and brings forward the reads that came to be too late."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from jobs.models import OPEN_ITEM_STATES, ItemState, Job, JobItem

from ..models import UpgradeTiming
from . import learning, timing
from .learning import Estimate, Observation

UPGRADING = "upgrading"
# The last read of a parked session, this long before the Core Server forgets it.
BEFORE_EXPIRY = timedelta(seconds=30)
# Planned reads are moved only when this much earlier (share of the upgrade time, or seconds).
REPLAN_SHARE = 0.1
REPLAN_SECONDS = 2.0


@dataclass
class ClassReads:
    """One class's estimate and its open probes, read once per chunk."""

    key: str
    estimate: Estimate
    probes: int = 0

    def take_role(self, item_id: int) -> tuple[str, int]:
        """A probe or a regular device: scouts are chosen before, under the job's lock
        (choose_scouts), as concurrent chunks would each choose their own."""
        role, index = learning.role_for(
            self.estimate, scouts_open=learning.SCOUTS, probes_open=self.probes, item_id=item_id
        )
        if role == learning.PROBE:
            self.probes += 1
        return role, index


def choose_scouts(job: Job, reads: ClassReads, items: list[JobItem]) -> None:
    """While nothing bracketed is known of the class, mark the first of these devices
    scouts, up to SCOUTS in flight for the class. Called under the job row's lock (the
    count and the marks are one step across workers); the caller writes the items."""
    if reads.estimate.bounded:
        return
    flying = JobItem.objects.filter(
        job_id=job.id, state__in=OPEN_ITEM_STATES, data__timing=reads.key, data__role=learning.SCOUT
    ).filter(data__step__in=("creating", UPGRADING))
    taken = flying.exclude(id__in=[item.id for item in items]).count()
    for index, item in enumerate(items[: max(learning.SCOUTS - taken, 0)], start=taken):
        item.data.update(role=learning.SCOUT, index=index, timing=reads.key)


def observations(job_id: int, key: str) -> list[Observation]:
    """The class's latest measurements in this rollout: its scouts' and probes' brackets
    (regular devices are read where most are over: their brackets measure nothing)."""
    rows = (
        JobItem.objects.filter(job_id=job_id, state=ItemState.DONE, result="succeeded", data__timing=key)
        .filter(data__has_key="hi")
        .filter(data__role__in=(learning.SCOUT, learning.PROBE))
        .order_by("-updated_at")
        .values_list("data__lo", "data__hi")[: learning.WINDOW]
    )
    return [Observation(float(lo or 0.0), float(hi)) for lo, hi in rows if isinstance(hi, int | float)]


def class_reads(job: Job, key: str) -> ClassReads:
    est = learning.estimate(observations(job.id, key), timing.learnt(job.partner_id, key))
    reads = ClassReads(key, est)
    if est.known and est.measured < learning.WARMUP_NARROW:  # warm-up probes are counted
        reads.probes = JobItem.objects.filter(
            job_id=job.id, state__in=OPEN_ITEM_STATES, data__timing=key, data__role=learning.PROBE, data__parked=False
        ).count()
    return reads


def _at(data: dict[str, Any], offset: float | None, now: datetime) -> datetime:
    """The read `offset` seconds after the session started (None: parked), never after
    the session expires nor before now."""
    started, expires = float(data["started"]), float(data.get("expires") or 0)
    last = expires - BEFORE_EXPIRY.total_seconds() if expires else started + 3600
    data["parked"] = offset is None
    when = last if offset is None else min(started + offset, last)
    return max(datetime.fromtimestamp(when, tz=now.tzinfo), now)


def started(reads: ClassReads, item_id: int, data: dict[str, Any], expired_in: float) -> datetime:
    """A session was created: the device's role, and its first read."""
    now = timezone.now()
    if data.get("role") == learning.SCOUT:  # chosen with its room (choose_scouts)
        role, index = learning.SCOUT, int(data.get("index", 0))
    else:
        role, index = reads.take_role(item_id)
    data.update(timing=reads.key, role=role, index=index, started=now.timestamp(), expires=now.timestamp() + expired_in)
    data.update(checks=0, lo=0.0)
    data.pop("hi", None)
    offset = learning.first_read(reads.estimate, role, first=timing.first_read_seconds(), index=index)
    return _at(data, offset, now)


def running(reads: ClassReads, data: dict[str, Any]) -> datetime:
    """A read found the upgrade running: when to read it again."""
    now = timezone.now()
    elapsed = max(0.0, now.timestamp() - float(data["started"]))
    data.update(lo=elapsed, checks=int(data.get("checks", 0)) + 1)
    offset = learning.next_read(
        reads.estimate,
        str(data.get("role", learning.REGULAR)),
        seen_running=elapsed,
        checks=data["checks"],
        first=timing.first_read_seconds(),
        index=int(data.get("index", 0)),
    )
    return _at(data, offset, now)


def over(data: dict[str, Any]) -> None:
    """A read found the upgrade over: its bracket."""
    if "started" not in data:
        return
    hi = max(0.0, timezone.now().timestamp() - float(data["started"]))
    lo = float(data.get("lo") or 0.0)
    data.update(hi=round(hi, 3), took=round((lo + hi) / 2 if lo else hi, 3))


# --- after a write: learn, and bring reads forward ---------------------------------------


def learn(job: Job, finished: list[JobItem], parked: set[str]) -> None:
    """Classes whose scouts or probes finished in this write: store what is known now for
    the next rollout, and move the reads it makes too late (compared with what the last
    write stored). Classes where a device was parked: if nobody is left to learn from,
    parked devices become probes (or scouts)."""
    measured = {
        str(item.data.get("timing"))
        for item in finished
        if (item.data or {}).get("role") in (learning.SCOUT, learning.PROBE)
        and "hi" in item.data
        and item.result == "succeeded"
    }
    for key in measured | parked:
        stored = timing.learnt(job.partner_id, key)
        est = learning.estimate(observations(job.id, key), stored)
        if key in measured and est.source == "rollout" and est.bounded:
            _remember(job.partner_id, key, est)
        replan(job, key, est, stored.high if stored else None)


def _remember(partner_id: int, key: str, est: Estimate) -> None:
    assert est.low is not None and est.typical is not None and est.high is not None
    model, klass = timing.split_key(key)
    UpgradeTiming.objects.update_or_create(
        partner_id=partner_id,
        model=model,
        size_class=klass,
        defaults={
            "low_seconds": est.low,
            "typical_seconds": est.typical,
            "high_seconds": est.high,
            "samples": est.bounded,
        },
    )


def replan(job: Job, key: str, est: Estimate, before_high: float | None) -> int:
    """Bring forward the class's reads that the estimate now puts earlier (parked ones
    included), in one UPDATE per planned time; with no scout or probe left running,
    parked devices take their place. Only waiting items: a worker holds the others."""
    rows = list(
        JobItem.objects.filter(
            job_id=job.id, state=ItemState.WAITING, data__timing=key, data__step=UPGRADING
        ).values_list("id", "next_at", "data")
    )
    learners = [r for r in rows if r[2].get("role") in (learning.SCOUT, learning.PROBE) and not r[2].get("parked")]
    parked = [r for r in rows if r[2].get("parked")]
    now = timezone.now()
    if not learners and parked:
        _promote(est, parked[: learning.SCOUTS], now)
        parked = parked[learning.SCOUTS :]
    moved_on = before_high is None or (est.high is not None and est.high < before_high * (1 - REPLAN_SHARE * 1.5))
    if not est.known or not (parked or moved_on):
        return 0
    slack = max(REPLAN_SECONDS, REPLAN_SHARE * (est.high or 0.0))
    moves: dict[datetime, list[int]] = defaultdict(list)
    for item_id, next_at, data in parked if not moved_on else rows:
        offset = learning.plan(
            est,
            str(data.get("role", learning.REGULAR)),
            seen_running=float(data.get("lo") or 0.0),
            checks=int(data.get("checks", 0)),
            first=timing.first_read_seconds(),
            index=int(data.get("index", 0)),
        )
        if offset is None or "started" not in data:
            continue
        when = _at(dict(data), offset, now)
        if next_at is None or (next_at - when).total_seconds() > slack:
            # Rounded, so that devices started together move in one UPDATE.
            moves[when.replace(microsecond=when.microsecond // 250_000 * 250_000)].append(item_id)
    for when, ids in moves.items():
        JobItem.objects.filter(id__in=ids, state=ItemState.WAITING).update(next_at=when)
    return sum(len(ids) for ids in moves.values())


def _promote(est: Estimate, rows: list[tuple[int, datetime | None, dict[str, Any]]], now: datetime) -> None:
    role = learning.PROBE if est.known else learning.SCOUT
    for index, (item_id, _, data) in enumerate(rows):
        data = {**data, "role": role, "index": index, "parked": False}
        JobItem.objects.filter(id=item_id, state=ItemState.WAITING).update(data=data, next_at=now)
