"""Keyset pagination on id, for lists that only grow (audit log, bulk job results):
no OFFSET and no COUNT, so a page costs the same on the millionth row as on the first."""

from django.db.models import Model, QuerySet


def id_page[M: Model](
    qs: QuerySet[M], size: int, cursor: int | None = None, *, newest_first: bool = False
) -> tuple[list[M], int | None]:
    """One page: (rows, the id to pass as the next cursor, or None on the last page)."""
    if cursor:
        qs = qs.filter(id__lt=cursor) if newest_first else qs.filter(id__gt=cursor)
    rows = list(qs.order_by("-id" if newest_first else "id")[: size + 1])
    if len(rows) <= size:
        return rows, None
    return rows[:size], rows[size - 1].pk
