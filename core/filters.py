"""What a list's filter form chose, as values and as a query string: shared by every list
with filters (devices, alarms), each passing its own field names."""

from collections.abc import Iterable
from typing import Any

from django.http import QueryDict


def chosen(cleaned: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Only the values that choose rows, blanks dropped."""
    return {name: cleaned[name] for name in names if cleaned.get(name) not in (None, "")}


def query_string(cleaned: dict[str, Any], names: Iterable[str], **extra: object) -> str:
    """The query string of a filter (plus `extra`, blanks dropped), for links that keep it."""
    query = QueryDict(mutable=True)
    for name, value in [*chosen(cleaned, names).items(), *extra.items()]:
        if value not in (None, ""):
            query[name] = str(value)
    return query.urlencode()
