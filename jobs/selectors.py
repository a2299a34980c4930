"""Reads for the jobs list, a job's page and its progress partial."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from core.pagination import id_page

from .models import CANCELLED_RESULT as CANCELLED
from .models import OPEN_ITEM_STATES, ItemState, Job, JobItem, JobState
from .registry import Handler, Target, handler_for, known

JOBS_PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 100


def title(job: Job) -> str:
    return handler_for(job.kind).title(job) if known(job.kind) else f"{job.kind} {job.action}".strip()


def with_titles(jobs: list[Job]) -> list[Job]:
    for job in jobs:
        job.title = title(job)
    return jobs


def recent_jobs(partner: Any, kind: str | None = None, limit: int = 5) -> list[Job]:
    qs = Job.objects.filter(partner=partner).select_related("user").order_by("-id")
    return with_titles(list((qs.filter(kind=kind) if kind else qs)[:limit]))


def partner_jobs(partner: Any) -> QuerySet[Job]:
    """Every job of the partner (the list page and the API page through these by id)."""
    return Job.objects.filter(partner=partner).select_related("user")


def jobs_page(partner: Any, after: int | None = None) -> tuple[list[Job], int | None]:
    """A keyset page of the partner's jobs, newest first, each with `.finished`."""
    jobs, next_after = id_page(partner_jobs(partner), JOBS_PAGE_SIZE, after, newest_first=True)
    finished = dict(
        JobItem.objects.filter(job__in=[j.id for j in jobs])
        .exclude(state__in=OPEN_ITEM_STATES)
        .order_by()
        .values_list("job_id")
        .annotate(n=Count("id"))
    )
    for job in jobs:
        done = finished.get(job.id, 0)
        job.finished = done
        job.percent = round(100 * done / job.total) if job.total else 100
    return with_titles(jobs), next_after


@dataclass
class Progress:
    total: int
    states: dict[str, int]
    results: dict[str, int]
    open: int = 0
    finished: int = 0
    percent: int = 100
    filters: list[tuple[str, str, int]] = field(default_factory=list)


def result_labels(handler: Handler | None) -> list[tuple[str, str]]:
    return [*((value, str(label)) for value, label in (handler.results if handler else ())), (CANCELLED, "Cancelled")]


def progress(job: Job) -> Progress:
    rows = JobItem.objects.filter(job_id=job.id).order_by().values_list("state", "result").annotate(n=Count("id"))
    states: dict[str, int] = dict.fromkeys(ItemState.values, 0)
    results: dict[str, int] = {}
    for state, result, n in rows:
        states[state] += n
        if result:
            results[result] = results.get(result, 0) + n
    still_open = sum(states[s] for s in OPEN_ITEM_STATES)
    finished = job.total - still_open
    handler = handler_for(job.kind) if known(job.kind) else None
    labels = dict(result_labels(handler))
    # Filters: open states while there are any, then every result (the kind's order, then unknown ones).
    filters: list[tuple[str, str, int]] = [
        (s.value, str(s.label), states[s])
        for s in (ItemState.PENDING, ItemState.RUNNING, ItemState.WAITING)
        if states[s]
    ]
    filters += [
        (value, label, results.get(value, 0))
        for value, label in labels.items()
        if value != CANCELLED or results.get(value)
    ]
    filters += [(value, value, n) for value, n in results.items() if value not in labels]
    return Progress(
        total=job.total,
        states=states,
        results=results,
        open=still_open,
        finished=finished,
        percent=round(100 * finished / job.total) if job.total else 100,
        filters=filters,
    )


def is_live(job: Job, progress: Progress) -> bool:
    """Whether the page keeps polling: the job may still change."""
    return job.state not in (JobState.DONE, JobState.CANCELLED) or progress.open > 0


def valid_filter(job: Job, value: str) -> str:
    handler = handler_for(job.kind) if known(job.kind) else None
    allowed = {*OPEN_ITEM_STATES, *dict(result_labels(handler))}
    return value if value in allowed else ""


@dataclass
class ItemRow:
    item: JobItem
    target: Target
    result_label: str


def job_items(job: Job, show: str = "") -> QuerySet[JobItem]:
    """A job's items, of one open state or one result when `show` (see valid_filter) names one."""
    qs = JobItem.objects.filter(job_id=job.id).only(
        "id", "target_id", "state", "result", "message", "attempts", "updated_at"
    )
    if show in OPEN_ITEM_STATES:
        return qs.filter(state=show)
    return qs.filter(Q(result=show)) if show else qs


def items_page(job: Job, show: str = "", after: int | None = None) -> tuple[list[ItemRow], int | None]:
    """A keyset page of a job's items (by id), filtered by an open state or a result."""
    items, next_after = id_page(job_items(job, show), ITEMS_PAGE_SIZE, after)
    handler = handler_for(job.kind) if known(job.kind) else None
    targets = handler.targets(job, [i.target_id for i in items]) if handler else {}
    labels = dict(result_labels(handler))
    rows = [
        ItemRow(
            item=item,
            target=targets.get(item.target_id, Target(label=f"#{item.target_id}")),
            result_label=labels.get(item.result, item.result) if item.result else item.get_state_display(),
        )
        for item in items
    ]
    return rows, next_after
