"""Deleting rows past a retention period in batches, so that a large backlog (the first
prune after retention is turned on, or after a long outage) never becomes one huge DELETE
holding locks and bloating one transaction."""

from datetime import datetime, timedelta

from django.db.models import Model, QuerySet
from django.utils import timezone

BATCH = 5000


def delete_older_than[M: Model](
    rows: QuerySet[M], field: str, days: int, *, now: datetime | None = None, batch: int | None = None
) -> int:
    """Delete the rows whose `field` is more than `days` days old, oldest first, `batch`
    rows per statement; `days` = 0 keeps everything. Answers how many went."""
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    # Oldest first by primary key: its index finds them at once, without an index on `field`.
    old = rows.filter(**{f"{field}__lt": cutoff}).order_by("pk")
    size = batch or BATCH
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:size]):
        deleted += rows.model._base_manager.filter(pk__in=ids).delete()[0]
    return deleted
