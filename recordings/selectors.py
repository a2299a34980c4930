"""Reads for the fleet search pages: the hits in time order, each device's problem,
progress, and a partner's recent searches."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from devices.models import Device
from jobs.models import ItemState, JobItem, JobState
from partners.models import Partner

from .models import RecordingSearch, SearchHit
from .problems import Problem

# The page shows the first hits in time order; more means a narrower range.
HITS_SHOWN = 500
RECENT_SEARCHES = 20


@dataclass(frozen=True)
class Progress:
    total: int
    finished: int
    by_result: dict[str, int]
    live: bool

    @property
    def percent(self) -> int:
        return 100 * self.finished // self.total if self.total else 100


def recent(partner: Partner) -> QuerySet[RecordingSearch]:
    return RecordingSearch.objects.filter(partner=partner).select_related("job")[:RECENT_SEARCHES]


def hits(search: RecordingSearch) -> tuple[list[SearchHit], bool]:
    """Merged by time across devices; (the first HITS_SHOWN, whether there were more)."""
    rows = list(search.hits.order_by("start_time", "id")[: HITS_SHOWN + 1])
    return rows[:HITS_SHOWN], len(rows) > HITS_SHOWN


def progress(search: RecordingSearch) -> Progress:
    job = search.job
    counts = dict(
        JobItem.objects.filter(job=job, state=ItemState.DONE)
        .values("result")
        .annotate(n=Count("id"))
        .values_list("result", "n")
    )
    finished = sum(counts.values())
    live = job.state not in (JobState.DONE, JobState.CANCELLED)
    return Progress(job.total, finished, counts, live)


def problems(search: RecordingSearch) -> list[dict[str, Any]]:
    """Devices that answered something other than recordings, with the words for it."""
    items = list(
        JobItem.objects.filter(job=search.job, state=ItemState.DONE)
        .exclude(result=Problem.OK)
        .order_by("result", "id")
        .values("target_id", "result", "message")
    )
    devices = {d.id: d for d in Device.objects.filter(partner=search.partner, id__in=[i["target_id"] for i in items])}
    labels = dict(Problem.CHOICES)
    return [
        {**item, "device": devices.get(item["target_id"]), "label": labels.get(item["result"], item["result"])}
        for item in items
    ]
