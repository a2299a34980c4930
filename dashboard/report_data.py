"""The reports page's figures, each aggregated in the database.

Every query returns at most a few hundred rows whatever the fleet's size (one per
hour, day, bin, model and version, or rollout), so the page stays fast at 100,000
devices and millions of health samples; the whole report is also kept for a few
minutes per partner and period (`report`), as managers look at it, not at live data."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Least, TruncDay, TruncHour
from django.utils import timezone

from alarms.models import AlarmEvent
from devices import selectors as device_selectors
from devices.models import Device, DeviceHealthSample, Family
from firmware.models import Rollout, RolloutResult
from jobs.models import JobItem
from partners.models import Partner

PERIODS = (7, 30, 90)  # days the page offers
HOURLY_UP_TO_DAYS = 7  # online share per hour up to this period, per day beyond
BATTERY_BIN = 10  # percent per bar: 0–9, 10–19, …, 90–100
ROLLOUTS_SHOWN = 12
NO_AI_TYPE = "none"  # alarms that named no AI type (plain motion, I/O, …)
CACHE_SECONDS = 300

GOOD_RESULTS = (RolloutResult.SUCCEEDED, RolloutResult.SAME_VERSION)
FAILED_RESULTS = (RolloutResult.FAILED,)


@dataclass(frozen=True)
class OnlinePoint:
    start: dt.datetime  # the hour or day
    samples: int
    online: int

    @property
    def percent(self) -> float:
        return round(100 * self.online / self.samples, 1) if self.samples else 0.0


@dataclass(frozen=True)
class RolloutRate:
    id: int
    name: str
    created_at: dt.datetime
    succeeded: int  # upgraded, or already on the version
    failed: int
    other: int  # deferred, skipped, cancelled
    pending: int  # no result yet

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    @property
    def percent(self) -> float | None:
        """Success rate of the devices that finished (upgraded or failed); None before any."""
        return round(100 * self.succeeded / self.finished, 1) if self.finished else None


def period_start(days: int, now: dt.datetime) -> dt.datetime:
    """The first hour (7 days) or day (longer) the period shows, so the first bucket is whole."""
    start = now - dt.timedelta(days=days)
    if days <= HOURLY_UP_TO_DAYS:
        return start.replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def online_share(partner: Partner, days: int, now: dt.datetime) -> list[OnlinePoint]:
    """Share of the health samples (poll readings) that found the device online, per hour
    (7 days) or per day, oldest first. Buckets without samples are left out."""
    trunc = TruncHour if days <= HOURLY_UP_TO_DAYS else TruncDay
    rows = (
        DeviceHealthSample.objects.filter(device__partner=partner, taken_at__gte=period_start(days, now))
        # In UTC whatever TIME_ZONE says: the expression the statistics of migration devices
        # 0007 describe, so PostgreSQL hashes into a few hundred groups.
        .annotate(bucket=trunc("taken_at", tzinfo=dt.UTC))
        .values("bucket")
        .annotate(samples=Count("id"), online=Count("id", filter=Q(online=True)))
        .order_by("bucket")
    )
    return [OnlinePoint(r["bucket"], r["samples"], r["online"]) for r in rows]


def battery_bins(partner: Partner) -> dict[str, Any]:
    """Battery devices per 10 % of charge now: {"bins": [count of 0–9, …, 90–100], "unknown": n}."""
    rows = (
        Device.objects.filter(partner=partner, family=Family.BATTERY, battery_percent__isnull=False)
        # 100 % joins the 90–100 bar; integer division in both databases.
        .annotate(bin=Least(Cast(F("battery_percent") / BATTERY_BIN, IntegerField()), 100 // BATTERY_BIN - 1))
        .values("bin")
        .annotate(n=Count("id"))
    )
    bins = [0] * (100 // BATTERY_BIN)
    for row in rows:
        bins[row["bin"]] += row["n"]
    unknown = Device.objects.filter(partner=partner, family=Family.BATTERY, battery_percent__isnull=True).count()
    return {"bins": bins, "unknown": unknown}


def alarms_by_type(partner: Partner, days: int, now: dt.datetime) -> dict[str, Any]:
    """Alarms per day and AI type: {"days": [date, …], "types": [type, …], "counts": {type: [n per day]}}.

    Counts alarms received (a folded burst counts each of its alarms). Grouped in SQL by
    day and by the event's list of AI types (few distinct lists); an alarm naming two
    types counts for each."""
    # Whole days, today included: `days` bars.
    start = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        AlarmEvent.objects.filter(partner=partner, received_at__gte=start)
        .annotate(day=TruncDay("received_at", tzinfo=dt.UTC))  # see migration alarms 0004
        .values("day", "ai_types")
        .annotate(n=Sum("count"))
        .order_by("day")
    )
    first = start.date()
    day_list = [first + dt.timedelta(days=i) for i in range((now.date() - first).days + 1)]
    index = {d: i for i, d in enumerate(day_list)}
    counts: dict[str, list[int]] = {}
    for row in rows:
        day = row["day"].date() if isinstance(row["day"], dt.datetime) else row["day"]
        for ai_type in row["ai_types"] or [NO_AI_TYPE]:
            counts.setdefault(str(ai_type), [0] * len(day_list))[index[day]] += row["n"]
    types = sorted(counts, key=lambda t: (t == NO_AI_TYPE, -sum(counts[t]), t))
    return {"days": day_list, "types": types, "counts": counts}


def rollout_rates(partner: Partner, days: int, now: dt.datetime) -> list[RolloutRate]:
    """The newest rollouts started in the period, each with its devices' results counted in SQL."""
    rollouts = list(
        Rollout.objects.filter(partner=partner, created_at__gte=now - dt.timedelta(days=days))
        .order_by("-id")
        .values("id", "name", "created_at", "job_id")[:ROLLOUTS_SHOWN]
    )
    results: dict[int, dict[str, int]] = {r["job_id"]: {} for r in rollouts}
    for row in JobItem.objects.filter(job_id__in=results).values("job_id", "result").annotate(n=Count("id")):
        results[row["job_id"]][row["result"]] = row["n"]
    rates = []
    for r in rollouts:
        by_result = results[r["job_id"]]
        good = sum(by_result.get(x, 0) for x in GOOD_RESULTS)
        failed = sum(by_result.get(x, 0) for x in FAILED_RESULTS)
        pending = by_result.get("", 0)
        other = sum(by_result.values()) - good - failed - pending
        rates.append(RolloutRate(r["id"], r["name"], r["created_at"], good, failed, other, pending))
    return rates


def report(partner: Partner, days: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every figure of the page for a period, cached briefly per partner and period."""
    key = f"reports:{partner.id}:{days}"
    if now is None and (cached := cache.get(key)) is not None:
        return dict(cached)
    moment = now or timezone.now()
    figures = {
        "firmware": device_selectors.firmware_chart(partner),
        "online": online_share(partner, days, moment),
        "battery": battery_bins(partner),
        "alarms": alarms_by_type(partner, days, moment),
        "rollouts": rollout_rates(partner, days, moment),
        "generated_at": moment,
    }
    if now is None:
        cache.set(key, figures, CACHE_SECONDS)
    return figures
