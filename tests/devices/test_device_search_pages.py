"""A search's pages: found arm by arm on PostgreSQL (devices.selectors._searched_top), they
must be exactly the pages of the search as one condition, in every sort and across keyset
pages, whether a page's matches come from the window of the sort's first rows or from the
search's indexes."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices import selectors
from devices.filters import SORT_CHOICES, Sort
from devices.models import ChargeStatus, Device, Tag

SITES = ["Campus", "Depot", "Harbour", "Mall", "North", "Plant", "South", "Tower"]
MODELS = ["Argus 3 Pro", "RLC-810A", "E1 Zoom"]


def clustered_fleet(partner, n: int) -> list[Device]:
    """Names "<Site> cam N" as fleets name cameras: sorted by name, a site's devices are
    together, so a search for a site is what the sort's walk finds last."""
    rng = random.Random(7)
    devices = []
    for i in range(n):
        model = rng.choice(MODELS)
        devices.append(
            Device(
                partner=partner,
                uid=f"ACME{i:012d}",
                display_name=f"{rng.choice(SITES)} cam {i % 40}",  # repeated: the id tie-breaker matters
                model=model,
                firmware_version=f"v3.{rng.randint(0, 3)}.0",
                battery_percent=rng.choice([None, rng.randint(0, 100)]),
                charge_status=ChargeStatus.NONE,
                last_seen=None,
            )
        )
    return Device.objects.bulk_create(devices)


def all_pages(partner, q: str, sort: Sort, size: int, *, name_table: bool = False) -> list[int]:
    """Every page of a search alone, through list_page (whose name arm reads the name
    table) or through device_page on devices_device only."""
    unsearched = selectors.filtered_devices(partner, {"q": q}, search=False)
    ids, after = [], None
    while True:
        if name_table:
            rows, after = selectors.list_page(partner, {"q": q}, sort, after, size=size)
        else:
            rows, after = selectors.device_page(unsearched, sort, after, size=size, search=q)
        ids += [row.id for row in rows]
        if after is None:
            return ids


def as_one_condition(partner, q: str, sort: Sort) -> list[int]:
    qs = selectors.filtered_devices(partner, {"q": q}).order_by(*selectors.ordering(sort))
    return list(qs.values_list("id", flat=True))


@pytest.mark.parametrize("name_table", [False, True])
@pytest.mark.parametrize("window", [1, selectors.SEARCH_WINDOW_PER_ROW])
@pytest.mark.parametrize(
    "q", ["harbour", "TOWER", "cam 1", "argus", "ACME00000000001", "e1 z", "nothing like it", "100%_\\"]
)
def test_it_pages_a_search_as_the_single_condition_does_in_every_sort(acme, bolt, monkeypatch, q, window, name_table):
    clustered_fleet(acme, 240)
    Device.objects.create(partner=bolt, uid="ACME000000000011", display_name="Harbour cam 1", model="E1 Zoom")
    Device.objects.create(partner=acme, uid="ACME000000999999", display_name="Tower 100%_\\ sure", model="E1 Zoom")
    # A window of one row per row asked sends most pages to the indexes; the default
    # answers common matches from the window.
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_PER_ROW", window)
    for sort in [Sort.parse(value) for value, _ in SORT_CHOICES]:
        assert all_pages(acme, q, sort, size=9, name_table=name_table) == as_one_condition(acme, q, sort), sort


def test_it_pages_a_search_with_other_filters_and_a_tag(acme):
    clustered_fleet(acme, 120)
    tag = Tag.objects.create(partner=acme, name="Quay")
    for device in Device.objects.filter(partner=acme, display_name__startswith="Harbour")[:10]:
        device.tags.add(tag)
    filters = {"q": "harbour", "model": "E1 Zoom", "tag": "Quay"}
    rows, _ = selectors.list_page(acme, filters, Sort.parse("name"), None, size=50)
    expected = selectors.filtered_devices(acme, filters).order_by(*selectors.ordering(Sort.parse("name")))
    assert [row.id for row in rows] == list(expected.values_list("id", flat=True))


def page_plan(partner, q: str, *, enable_sort: bool = True) -> list[str]:
    """EXPLAIN ANALYZE of the first page of a search by name, as its lines."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_device")
    unsearched = selectors.filtered_devices(partner, {"q": q}, search=False)
    with CaptureQueriesContext(connection) as queries:
        selectors.device_page(unsearched, Sort.parse("name"), None, search=q)
    (page_query,) = [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_sort = {'on' if enable_sort else 'off'}")
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {page_query}")
        return [row[0] for row in cursor.fetchall()]


def walks_the_sort_testing_the_search(plan: list[str]) -> bool:
    """Whether some scan of the name index filters rows by a LIKE: the search answered by
    walking the sort's index, as long as it takes to find a page of matches."""
    for i, line in enumerate(plan):
        if "using device_partner_name" in line:
            depth = len(line) - len(line.lstrip())
            for detail in plan[i + 1 :]:
                if len(detail) - len(detail.lstrip()) <= depth:
                    break
                if "Filter:" in detail and "~~" in detail:
                    return True
    return False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_it_reads_a_search_clustered_in_the_sort_from_the_indexes(acme):
    clustered_fleet(acme, 3000)
    plan = page_plan(acme, "tower")
    # The window of the name index's first rows held no Tower: the arms' matches were
    # read apart from any walk (the branches behind the One-Time Filters ran, the name
    # arm's with rows) and sorted; at this size PostgreSQL reads them with a scan, at
    # 100,000 devices from the trigram index (docs/device-list.md).
    gates = [i for i, line in enumerate(plan) if "One-Time Filter" in line]
    assert len(gates) == 3
    assert not [i for i in gates if "never executed" in plan[i - 1] + plan[i + 1]]
    assert [i for i in gates if "actual rows=0" not in plan[i + 1]]
    assert not walks_the_sort_testing_the_search(plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_it_never_walks_the_sort_for_a_search_whatever_the_estimates(acme):
    # Sorting made to look dear is what a wrong estimate does: the planner then walks the
    # name index testing the search on every row: in a bench run, a UID prefix of 100
    # devices spread along the names took half the name index that way.
    clustered_fleet(acme, 3000)
    for q in ["ACME0000000012", "tower", "e1 z"]:
        plan = page_plan(acme, q, enable_sort=False)
        assert not walks_the_sort_testing_the_search(plan), (q, "\n".join(plan))


def test_it_sees_a_walk_in_a_plan():
    walk = [
        "Limit (actual rows=51 loops=1)",
        "  ->  Index Scan using device_partner_name on devices_device (actual rows=51 loops=1)",
        "        Index Cond: (partner_id = 1)",
        "        Filter: (upper((uid)::text) ~~ 'ACME0000000012%'::text)",
    ]
    assert walks_the_sort_testing_the_search(walk)
    assert not walks_the_sort_testing_the_search(walk[:3])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_it_keeps_the_trigram_indexes_pending_lists_short(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN"
            " ('device_uid_trgm', 'device_name_trgm', 'device_model_trgm')"
        )
        options = dict(cursor.fetchall())
    trigram_indexes = ("device_uid_trgm", "device_name_trgm", "device_model_trgm")
    assert options == {name: ["gin_pending_list_limit=64"] for name in trigram_indexes}
