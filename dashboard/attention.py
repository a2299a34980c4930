"""The overview's "needs attention": what a fleet manager should look at now, each with
its count and the filtered list that shows it. A few aggregate queries, nothing per
device: offline devices, low batteries, jobs and rollouts running or that failed on some
devices in the last day, devices behind the newest firmware of their model, and a Core
Server the circuit breaker has opened."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from devices import selectors as devices
from devices.models import ItemResult
from firmware.models import RolloutResult
from firmware.rollout.handler import KIND as ROLLOUT
from jobs.models import Job, JobState
from partners.circuit import CircuitState
from partners.models import Partner

# A job or rollout that ended within this long with some devices failed is listed.
FAILED_SINCE = timedelta(days=1)
_FAILED_RESULTS = (ItemResult.ERROR, RolloutResult.FAILED)


@dataclass(frozen=True)
class Attention:
    kind: str  # a CSS hook and a test's handle: offline, battery, jobs, rollouts, failed, firmware, circuit
    text: str
    url: str
    severity: str = "warn"  # warn or bad


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


# A build's date (yymmdd) and number in either spelling a camera reports its firmware in:
# "RLC_810A_230515_2356" (date, build) and "v3.0.0.2356_23051500" (build, date and hour).
_DATE_BUILD = re.compile(r"(?<!\d)(\d{6})_(\d{4})(?!\d)")
_BUILD_DATE = re.compile(r"(?<!\d)(\d{4})_(\d{6})(\d{2})?(?!\d)")


def build_key(version: str) -> tuple[int, int] | None:
    """(date, build) of a firmware version string, or None when it names neither."""
    if match := _DATE_BUILD.search(version):
        return int(match.group(1)), int(match.group(2))
    if match := _BUILD_DATE.search(version):
        return int(match.group(2)), int(match.group(1))
    return None


def behind_on_firmware(partner: Partner) -> list[tuple[str, str, int]]:
    """(model, its newest version on the fleet, devices of the model on an older build)."""
    by_model: dict[str, list[tuple[tuple[int, int], str, int]]] = {}
    for row in devices.firmware_by_model(partner):
        key = build_key(row["firmware_version"])
        if row["model"] and key is not None:
            by_model.setdefault(row["model"], []).append((key, row["firmware_version"], row["count"]))
    behind = []
    for model, versions in sorted(by_model.items()):
        newest = max(key for key, _, _ in versions)
        older = sum(count for key, _, count in versions if key < newest)
        if older:
            # Of the newest build's spellings, the most common one (then the first by name).
            newest_name = min((-count, name) for key, name, count in versions if key == newest)[1]
            behind.append((model, newest_name, older))
    return behind


def needs_attention(partner: Partner, summary: dict[str, int], circuit: CircuitState | None) -> list[Attention]:
    slug = partner.slug
    listed = reverse("device_list", args=[slug])
    items: list[Attention] = []
    if circuit is not None:
        items.append(
            Attention(
                "circuit",
                "The Core Server does not answer: calls to it are paused",
                reverse("overview", args=[slug]),
                "bad",
            )
        )
    if summary["offline_count"]:
        items.append(
            Attention(
                "offline",
                _plural(summary["offline_count"], "device offline", "devices offline"),
                f"{listed}?online=no",
                "bad",
            )
        )
    if summary["low_battery_count"]:
        low = devices.LOW_BATTERY_PERCENT
        query = urlencode({"battery_below": str(low), "sort": "battery"})
        items.append(
            Attention(
                "battery",
                f"{_plural(summary['low_battery_count'], 'battery', 'batteries')} below {low} %",
                f"{listed}?{query}",
            )
        )
    jobs = Job.objects.filter(partner=partner).aggregate(
        running=Count(
            "id", filter=Q(state__in=(JobState.QUEUED, JobState.RUNNING, JobState.PAUSED)) & ~Q(kind=ROLLOUT)
        ),
        rollouts=Count("id", filter=Q(state__in=(JobState.QUEUED, JobState.RUNNING, JobState.PAUSED), kind=ROLLOUT)),
    )
    failed = (
        Job.objects.filter(
            partner=partner, finished_at__gte=timezone.now() - FAILED_SINCE, items__result__in=_FAILED_RESULTS
        )
        .values("kind")
        .annotate(n=Count("id", distinct=True))
    )
    failed_by_kind = {row["kind"]: row["n"] for row in failed}
    if jobs["rollouts"]:
        items.append(
            Attention(
                "rollouts",
                _plural(jobs["rollouts"], "rollout running", "rollouts running"),
                reverse("rollout_list", args=[slug]),
            )
        )
    if jobs["running"]:
        items.append(
            Attention("jobs", _plural(jobs["running"], "job running", "jobs running"), reverse("job_list", args=[slug]))
        )
    if failed_rollouts := failed_by_kind.pop(ROLLOUT, 0):
        items.append(
            Attention(
                "failed",
                f"{_plural(failed_rollouts, 'rollout', 'rollouts')} with failed devices in the last day",
                reverse("rollout_list", args=[slug]),
                "bad",
            )
        )
    if failed_jobs := sum(failed_by_kind.values()):
        items.append(
            Attention(
                "failed",
                f"{_plural(failed_jobs, 'job', 'jobs')} with failed devices in the last day",
                reverse("job_list", args=[slug]),
                "bad",
            )
        )
    for model, newest, older in behind_on_firmware(partner):
        query = urlencode({"model": model, "sort": "firmware"})
        items.append(
            Attention(
                "firmware",
                f"{_plural(older, model + ' device', model + ' devices')} not on the newest firmware, {newest}",
                f"{listed}?{query}",
            )
        )
    return items
