"""Reading values from a query string without ever failing on what a user typed."""

import re
from collections.abc import Mapping

# Plain ASCII digits with an optional minus: not "+5", "1_000", " 5" or "²", which
# Python's int() would take (or, for "²", choke on after str.isdigit() said yes).
_INTEGER = re.compile(r"-?[0-9]{1,30}")

# The largest id a query may name: PostgreSQL's bigint (every primary key here fits);
# a larger one would make the database fail rather than find nothing.
MAX_ID = 2**63 - 1


def int_param[T](
    query: Mapping[str, str],
    name: str,
    default: T,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int | T:
    """The integer `name` in `query` (e.g. request.GET), or `default` when it is missing,
    not a plain integer, or outside [min_value, max_value]. Never raises."""
    raw = query.get(name)
    if raw is None or not _INTEGER.fullmatch(raw):
        return default
    value = int(raw)
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        return default
    return value
