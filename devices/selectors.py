"""Reads for the overview, the device list and bulk job pages.

Everything here must stay fast at 100,000 devices per partner: pages are keyset
pages on an indexed sort key (no OFFSET), and nothing counts a whole fleet per page."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypedDict

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OrderBy,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from partners.models import Partner

from .filters import BLANK_KEYS, FILTER_NAMES, NULLABLE_KEYS, Cursor, Sort
from .models import UID_RE, Device, DeviceName, Tag, Transport
from .polling import never_read

LOW_BATTERY_PERCENT = 20
DEVICE_PAGE_SIZE = 50
# "N matching" counts at most this many (+1 to know there are more): cheap on any fleet.
MATCH_COUNT_CAP = 10_000
# How long a filter's "N matching" is reused: paging, sorting and coming back to a
# filter cost no count; a sync's changes show within this.
MATCH_COUNT_SECONDS = 60


class DeviceRow(NamedTuple):
    """A device as the list's pages and the API's JSON pages show it: the list's columns,
    read as plain values, and its tag names. Rows of Device instances (`only()` of these
    columns) cost half a millisecond more a page, a twentieth of the page."""

    id: int
    partner_id: int
    uid: str
    display_name: str
    model: str
    family: str
    transport: str
    firmware_version: str
    online: bool
    last_seen: datetime | None
    battery_percent: int | None
    charge_status: str
    alarm_enabled: bool | None
    tag_names: list[str]

    @property
    def has_page(self) -> bool:
        """Whether the uid fits a device URL (as Device.has_page)."""
        return UID_RE.fullmatch(self.uid) is not None

    def __str__(self) -> str:
        return self.display_name or self.uid


# What the list and the CSV show; leaves out LAN secrets and other heavy columns.
LIST_COLUMNS: tuple[str, ...] = DeviceRow._fields[:-1]


# --- overview -----------------------------------------------------------------------------


def fleet_summary(partner: Partner) -> dict[str, int]:
    """The overview's figures in one aggregate query."""
    return Device.objects.filter(partner=partner).aggregate(
        total_count=Count("id"),
        online_count=Count("id", filter=Q(online=True)),
        offline_count=Count("id", filter=Q(online=False)),
        low_battery_count=Count("id", filter=Q(battery_percent__lt=LOW_BATTERY_PERCENT)),
        charging_count=Count("id", filter=Q(charge_status="charging")),
        alarms_off_count=Count("id", filter=Q(alarm_enabled=False)),
    )


def first_read_progress(partner: Partner) -> dict[str, int] | None:
    """How much of the online fleet the console has read ({"read", "total"}), while some
    of it has not been yet (a fresh fleet's first read); None once all of it has."""
    progress = Device.objects.filter(partner=partner, transport=Transport.ROP, online=True).aggregate(
        total=Count("id"), read=Count("id", filter=~never_read())
    )
    return progress if progress["read"] < progress["total"] else None


class FirmwareCount(TypedDict):
    model: str
    firmware_version: str
    count: int


def firmware_by_model(partner: Partner) -> list[FirmwareCount]:
    return list(
        Device.objects.filter(partner=partner)
        .values("model", "firmware_version")
        .annotate(count=Count("id"))
        .order_by("model", "-count")
    )


def firmware_chart(partner: Partner) -> list[dict[str, Any]]:
    """Firmware versions per model, for bars: [{model, total, versions: [{firmware, count, percent}]}]."""
    models: dict[str, dict[str, Any]] = {}
    for row in firmware_by_model(partner):
        group = models.setdefault(row["model"], {"model": row["model"], "total": 0, "versions": []})
        group["total"] += row["count"]
        group["versions"].append({"firmware": row["firmware_version"], "count": row["count"]})
    for group in models.values():
        for version in group["versions"]:
            # Share of the model's devices; at least 1 so that a lone device still shows a bar.
            version["percent"] = max(1, round(100 * version["count"] / group["total"]))
    return list(models.values())


# --- device list ------------------------------------------------------------------------


def filtered_devices(partner: Partner, filters: dict[str, Any], *, search: bool = True) -> QuerySet[Device]:
    """The partner's devices matching the list's filters (see filters.FILTER_NAMES).

    `search=False` leaves the text search `q` out, for a page that applies it itself
    (device_page(…, search=q), which plans it arm by arm on PostgreSQL)."""
    qs = Device.objects.filter(partner=partner)
    if search:
        qs = searched(qs, filters.get("q"))
    if online := filters.get("online"):
        qs = qs.filter(online=online == "yes")
    if transport := filters.get("transport"):
        qs = qs.filter(transport=transport)
    if family := filters.get("family"):
        qs = qs.filter(family=family)
    if model := filters.get("model"):
        qs = qs.filter(model=model)
    if firmware := filters.get("firmware"):
        qs = qs.filter(firmware_version=firmware)
    if filters.get("battery_below") is not None:
        qs = qs.filter(battery_percent__lt=filters["battery_below"])
    if charge := filters.get("charge"):
        qs = qs.filter(charge_status=charge)
    if alarm := filters.get("alarm"):
        qs = qs.filter(alarm_enabled=alarm == "on")
    if tag := filters.get("tag"):
        # Tag names are unique per partner: the join cannot repeat a device.
        qs = qs.filter(tags__partner=partner, tags__name=tag)
    return qs


def search_condition(q: str) -> Q:
    """The list's text search: UID prefix, or a part of the name or the model, any case.

    Written as the ORM writes `istartswith`/`icontains` on PostgreSQL,
    `UPPER(col::text) LIKE UPPER(…)`, which is exactly the expression of the trigram GIN
    indexes (migration devices 0007): the planner answers the three arms with a BitmapOr
    of those indexes instead of scanning the fleet. The Django admin's search on the same
    columns writes the same expressions, so it gets the same indexes. On SQLite (no
    trigram index) the same condition is a plain case-insensitive LIKE."""
    return Q(uid__istartswith=q) | Q(display_name__icontains=q) | Q(model__icontains=q)


def search_arms(q: str) -> list[tuple[str, Q]]:
    """search_condition's three arms as (column searched, condition), each answered by an
    index of its own."""
    return [
        ("uid", Q(uid__istartswith=q)),
        ("display_name", Q(display_name__icontains=q)),
        ("model", Q(model__icontains=q)),
    ]


def searched(qs: QuerySet[Device], q: str | None) -> QuerySet[Device]:
    """qs narrowed to the text search `q` (none: qs as it is)."""
    return qs.filter(search_condition(q)) if q else qs


def count_matching(qs: QuerySet[Device], cap: int | None = None) -> int:
    """How many rows match, counting no further than cap + 1 (shown as "10,000+")."""
    cap = cap or MATCH_COUNT_CAP
    return qs.order_by().values("id")[: cap + 1].count()


def cached_count(partner: Partner, filters: dict[str, Any], qs: QuerySet[Device]) -> int:
    """count_matching for the list's "N matching", kept briefly per partner and filter:
    the figure is shown out of band beside the table, and a page, a sort or a return to
    the same filter should not pay for it again."""
    key = _count_key(partner, filters)
    count: int | None = cache.get(key)
    return _count_now(key, qs) if count is None else count


def list_figures(
    partner: Partner, filters: dict[str, Any], qs: QuerySet[Device], *, count: bool
) -> tuple[int | None, dict[str, list[str]]]:
    """The list page's cached reads, in one cache round trip instead of two: the
    cached_count of the filter (when `count`) and the filter_suggestions."""
    count_key, suggestions_key = _count_key(partner, filters), _suggestions_key(partner)
    found = cache.get_many([count_key, suggestions_key] if count else [suggestions_key])
    suggestions = found.get(suggestions_key)
    if suggestions is None:
        suggestions = filter_suggestions(partner)
    if not count:
        return None, suggestions
    matching: int | None = found.get(count_key)
    return (_count_now(count_key, qs) if matching is None else matching), suggestions


def _count_key(partner: Partner, filters: dict[str, Any]) -> str:
    chosen = json.dumps({k: str(v) for k, v in sorted(filters.items())}, separators=(",", ":"))
    return f"device-count:{partner.id}:{hashlib.sha256(chosen.encode()).hexdigest()[:32]}"


def _count_now(key: str, qs: QuerySet[Device]) -> int:
    count = count_matching(qs)
    cache.set(key, count, MATCH_COUNT_SECONDS)
    return count


def ordering(sort: Sort) -> list[OrderBy]:
    """ORDER BY for a sort, NULLs (and blank names) last in both directions (as the pages
    walk them)."""
    order = [F(key).desc(nulls_last=True) if sort.desc else F(key).asc(nulls_last=True) for key in sort.keys]
    if sort.keys[0] in BLANK_KEYS:
        blank = ExpressionWrapper(Q(**{sort.keys[0]: ""}), output_field=BooleanField())
        order.insert(0, blank.asc())
    return order


def _legs(first: str) -> tuple[Q, Q] | None:
    """(rows with a value, rows without) for a sort key whose rows without a value come
    last: NULLs, or blank names. Each is an index range of the sort's index: the blank
    names are `display_name = ''`, its start, and the named ones `display_name > ''`, the
    rest (every non-empty string sorts after the empty one, in any collation)."""
    if first in NULLABLE_KEYS:
        return Q(**{f"{first}__isnull": False}), Q(**{f"{first}__isnull": True})
    if first in BLANK_KEYS:
        return Q(**{f"{first}__gt": ""}), Q(**{first: ""})
    return None


def _leg_ordering(sort: Sort) -> list[OrderBy]:
    """ORDER BY for one leg of a page, where the key holds no NULL (a nullable key's
    NULL rows are the other leg): plain ASC/DESC, the same order as `ordering`. A
    backward walk of an index gives DESC NULLS FIRST, so `DESC NULLS LAST` kept
    PostgreSQL from walking the sort's index at all: the descending battery sort sorted
    the whole fleet (40 ms at 100,000 devices instead of 0.3)."""
    return _plain_ordering(sort.keys, sort.desc)


def _plain_ordering(keys: tuple[str, ...], desc: bool) -> list[OrderBy]:
    return [F(key).desc() if desc else F(key).asc() for key in keys]


def list_page(
    partner: Partner, filters: dict[str, Any], sort: Sort, after: Cursor | None, size: int | None = None
) -> tuple[list[DeviceRow], Cursor | None]:
    """A page of the device list's filters, sort and cursor: the console's list and the
    API's device endpoint read their pages here, so both get the same plans."""
    q = filters.get("q") or None
    unsearched = filtered_devices(partner, filters, search=False)
    alone = q is not None and all(filters.get(name) in (None, "") for name in FILTER_NAMES if name != "q")
    return device_page(unsearched, sort, after, size, search=q, names_of=partner.id if alone else None)


@dataclass(frozen=True)
class _NameTable:
    """A page sorted by name whose search is its only filter: the partner's rows of the
    name table (DeviceName) are the page's candidates; `after`: the page's cursor."""

    partner_id: int
    after: Cursor | None


def device_page(
    qs: QuerySet[Device],
    sort: Sort,
    after: Cursor | None,
    size: int | None = None,
    *,
    search: str | None = None,
    names_of: int | None = None,
) -> tuple[list[DeviceRow], Cursor | None]:
    """One keyset page: (rows, key of the last row or None on the last page).

    A nullable sort key is walked in two legs, each on an index: the rows with a
    value, in order, then the NULL rows by id; so is the name, whose blank ones
    ("(no name)", most of a fresh fleet's first read) come after the named ones, by id.
    `after[0] is None` means the cursor is already in the NULL (blank) leg. `search`: a
    text search that qs does not carry yet (filtered_devices(…, search=False)); each leg
    then finds its rows through
    _searched_top. `names_of`: the partner's id when qs is all of that partner's devices
    (no filter but the search): sorted by name, the name arm then reads its matches from
    the name table (list_page decides)."""
    size = size or DEVICE_PAGE_SIZE
    keys, first = sort.keys, sort.keys[0]
    legs = _legs(first)
    if legs is None:
        rows = _searched_top(_after(qs, keys, sort.desc, after), search, keys, sort.desc, size + 1)
    else:
        valued_rows, missing_rows = legs
        rows = []
        if after is None or after[0] is not None:
            valued = _after(qs.filter(valued_rows), keys, sort.desc, after)
            names = _NameTable(names_of, after) if names_of is not None and sort.name == "name" else None
            rows = _searched_top(valued, search, keys, sort.desc, size + 1, names)
        if len(rows) <= size:
            nulls = qs.filter(missing_rows)
            if after is not None and after[0] is None:
                nulls = nulls.filter(id__lt=after[-1]) if sort.desc else nulls.filter(id__gt=after[-1])
            # A blank name holds no search: its arm is not asked.
            skip = first if first in BLANK_KEYS else None
            rows += _searched_top(nulls, search, ("id",), sort.desc, size + 1 - len(rows), skip=skip)
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = tuple(getattr(rows[-1], key) for key in keys)
    if first in BLANK_KEYS and not last[0]:
        last = (None, *last[1:])  # in the blank tail, as a NULL's
    return rows, last


def _searched_top(
    qs: QuerySet[Device],
    search: str | None,
    keys: tuple[str, ...],
    desc: bool,
    limit: int,
    names: _NameTable | None = None,
    *,
    skip: str | None = None,
) -> list[DeviceRow]:
    """The first `limit` rows of qs in the order of `keys` (all ascending or all
    descending, as a leg walks them), narrowed to the text search if any. On PostgreSQL
    the search's ids come from _search_ids; SQLite cannot order the parts of a UNION:
    there the search stays one condition."""
    order = _plain_ordering(keys, desc)  # a leg's: _leg_ordering
    if search and connections[qs.db].vendor == "postgresql":
        sql, params = _search_ids(qs, search, keys, desc, limit, names, skip)
        # The ids come from qs already: the rows need no other condition.
        qs = Device.objects.using(qs.db).filter(id__in=RawSQL(sql, params))  # noqa: S611 (compiled querysets; every value a parameter)
    else:
        qs = searched(qs, search)
    qs = qs.annotate(tag_list=_tag_list(connections[qs.db].vendor)).order_by(*order)
    return [
        DeviceRow._make((*values[:-1], sorted(values[-1].split(TAG_SEPARATOR)) if values[-1] else []))
        for values in qs.values_list(*LIST_COLUMNS, "tag_list")[:limit]
    ]


# Rows of the sort's order a page looks through for a search's matches, per row it
# shows, before it reads the matches from the search's indexes instead (_search_ids).
SEARCH_WINDOW_PER_ROW = 20


def _search_ids(
    qs: QuerySet[Device],
    search: str,
    keys: tuple[str, ...],
    desc: bool,
    limit: int,
    names: _NameTable | None,
    skip: str | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters for ids among which are the first `limit` rows of qs matching
    the search, in the order of `keys` (the caller orders and limits them).

    As one condition with `ORDER BY … LIMIT`, the search leaves PostgreSQL to guess how
    its matches lie along the sort: it walks the sort's index testing every row when it
    expects many matches spread evenly, and reads the matches from the indexes and sorts
    them when it expects few. Both guesses fail: names sorted by name keep a search's
    matches together ("harbour" matches the names that start with Harbour, 25,000 rows
    into the name index at 100,000 devices), and a UID prefix's estimate comes from a
    histogram a hundred rows wide, so that a prefix of 100 devices, taken for 1,000,
    walked half the name index (34 ms instead of 1.5 in one bench run).

    So nothing here is left to a guess. First a window of the sort's first rows (20 per
    row asked: 1,020 for a page of 50, about 1 ms) with the whole search tested on each:
    a common match is answered there, and when the window holds `limit` matches they are
    the page's. Otherwise each arm's matches are read from its own index, an OFFSET 0
    subquery apiece (planned alone, never as a walk), sorted, and the first `limit` of
    each join the window's: every row of the page matches some arm and is among that
    arm's first `limit`, so the page is the one the OR gives. Those reads sit behind a
    one-time filter on the window's count and do not run when it is full. With `names`
    (the search is the only filter, sorted by name), the name arm reads the name table
    (_name_matches). docs/device-list.md, "How a search's page is planned"."""
    direction = "DESC" if desc else "ASC"
    columns = list(dict.fromkeys(("id", *keys)))
    hit = ExpressionWrapper(search_condition(search), output_field=BooleanField())
    ordered = qs.annotate(search_hit=hit).order_by(*_plain_ordering(keys, desc))
    window_sql, params = _sql(ordered.values(*columns, "search_hit")[: SEARCH_WINDOW_PER_ROW * limit])
    order = ", ".join(f'a."{key}" {direction}' for key in keys)
    # Formatted in: compiled querysets, sort keys (SORT_KEYS' column names) and integers.
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT a.id FROM ({window_sql}) a WHERE a.search_hit"  # noqa: S608
        f" ORDER BY {order} LIMIT {limit:d}) SELECT id FROM hits"
    )
    for column, arm in search_arms(search):
        if column == skip:  # no row of qs can match it (blank names)
            continue
        if names is not None and column == "display_name":
            arm_sql, arm_params = _name_matches(qs.db, names, search, desc)
        else:
            arm_sql, arm_params = _sql(qs.filter(arm).order_by().values(*columns))  # no Meta.ordering
        sql += (
            f" UNION ALL (SELECT a.id FROM ({arm_sql} OFFSET 0) a WHERE (SELECT count(*) FROM hits) < {limit:d}"  # noqa: S608
            f" ORDER BY {order} LIMIT {limit:d})"
        )
        params += arm_params
    return sql, params


def _name_matches(db: str, names: _NameTable, search: str, desc: bool) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters of (id, display_name) of the partner's devices whose name holds
    the search, past the cursor, from the name table. The condition is the name arm's as
    the ORM writes icontains on PostgreSQL (the same escaping, the same UPPER), on the
    stored upper-case name that the table's trigram index holds."""
    pattern = f"%{connections[db].ops.prep_for_like_query(search)}%"
    sql = (
        f"SELECT n.device_id AS id, n.display_name FROM {DeviceName._meta.db_table} n"  # noqa: S608 (a table name)
        " WHERE n.partner_id = %s AND n.name_upper LIKE UPPER(%s)"
    )
    params: tuple[Any, ...] = (names.partner_id, pattern)
    if names.after is not None:
        sql += f" AND (n.display_name, n.device_id) {'<' if desc else '>'} (%s, %s)"
        params += tuple(names.after)
    return sql, params


def _sql(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


# Joins a row's tag names in the page's own query; a control character no tag name
# carries (bulk_forms refuses them).
TAG_SEPARATOR = "\x1f"


def _tag_list(vendor: str) -> RawSQL:
    """A row's tag names, joined, as a correlated subquery of the page's query: no second
    round trip, and PostgreSQL evaluates it for the page's rows only (after the sort and
    the limit). prefetch_related("tags") built a queryset per row and cost more than the
    page's own query. Sorted in Python: SQLite cannot order inside an aggregate. Written
    as SQL: built and compiled by the ORM (a Subquery of the through model with an
    OuterRef and a StringAgg), it cost 0.6 ms a page, a tenth of the page's own work."""
    sql = _TAG_LIST_SQL.format(join="GROUP_CONCAT" if vendor == "sqlite" else "STRING_AGG")
    return RawSQL(sql, (TAG_SEPARATOR,), output_field=TextField())  # noqa: S611 (constant SQL, one parameter)


# The page's table is never aliased: it is the query's own table, devices_device.
_TAG_LIST_SQL = (
    "SELECT {join}(t.name, %s) FROM devices_device_tags dt INNER JOIN devices_tag t ON t.id = dt.tag_id"
    " WHERE dt.device_id = devices_device.id"
)


def _after(qs: QuerySet[Device], keys: tuple[str, ...], desc: bool, after: Cursor | None) -> QuerySet[Device]:
    if after is None:
        return qs
    if len(keys) == 1:
        return qs.filter(**{f"{keys[0]}__{'lt' if desc else 'gt'}": after[0]})
    # A row comparison, (a, b) > (x, y): PostgreSQL walks the index from there.
    lookup = TupleLessThan if desc else TupleGreaterThan
    return qs.filter(lookup(Tuple(*(F(key) for key in keys)), tuple(after)))


def export_rows(qs: QuerySet[Device], sort: Sort) -> Iterator[Device]:
    """Every matching device for the CSV, streamed from the database in chunks."""
    return qs.only(*LIST_COLUMNS).prefetch_related("tags").order_by(*ordering(sort)).iterator(chunk_size=2000)


def filter_suggestions(partner: Partner) -> dict[str, list[str]]:
    """Known models, firmware versions and tags for the filter inputs' suggestions.
    Cached briefly: a DISTINCT over a large fleet is not worth doing per keystroke (a new
    tag clears it: forget_filter_suggestions)."""

    def load() -> dict[str, list[str]]:
        pairs = firmware_by_model(partner)
        return {
            "models": sorted({p["model"] for p in pairs if p["model"]}),
            "firmware": sorted({p["firmware_version"] for p in pairs if p["firmware_version"]}),
            "tags": list(Tag.objects.filter(partner=partner).values_list("name", flat=True)),
        }

    # get_or_set answers None only when the cache refused the value: then read it now.
    return cache.get_or_set(_suggestions_key(partner), load, 120) or load()


def forget_filter_suggestions(partner: Partner) -> None:
    cache.delete(_suggestions_key(partner))


def _suggestions_key(partner: Partner) -> str:
    return f"device-filter-suggestions:{partner.id}"
