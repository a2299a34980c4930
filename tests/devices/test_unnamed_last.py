"""Sorted by name, the devices without one ("(no name)": most of a fresh fleet during its
first read) come after the named ones in both directions, by id, across keyset pages: on
the list page, through a search alone (the name table) and with another filter; and each
leg of a page still walks the name index (no sort of the fleet)."""

import pytest
from django.db import connection

from devices import selectors
from devices.filters import Sort
from devices.models import Device

from .fleet_rows import made_up_fleet
from .test_device_list import list_url, walk


@pytest.fixture
def fleet(acme):
    devices = made_up_fleet(acme, 90)
    blank = [d for d in devices if d.id % 3 == 0]
    Device.objects.filter(id__in=[d.id for d in blank]).update(display_name="")
    for d in blank:
        d.display_name = ""
    return devices


def expected(devices, desc: bool) -> list[str]:
    named = sorted((d for d in devices if d.display_name), key=lambda d: (d.display_name, d.id), reverse=desc)
    unnamed = sorted((d for d in devices if not d.display_name), key=lambda d: d.id, reverse=desc)
    return [d.uid for d in named + unnamed]


@pytest.fixture
def viewer(client_of, victor):
    return client_of(victor)


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_it_lists_the_devices_without_a_name_after_the_named_ones_over_pages(viewer, fleet, monkeypatch, sort):
    monkeypatch.setattr(selectors, "DEVICE_PAGE_SIZE", 7)  # pages break inside both legs
    uids, pages = walk(viewer, f"sort={sort}", htmx=True)
    assert pages == 13
    assert uids == expected(fleet, sort.startswith("-"))
    first = viewer.get(list_url(), {"sort": sort}).content.decode()
    assert "(no name)" not in first  # page 1 is all named devices


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_it_keeps_the_order_with_a_filter_and_with_a_search_alone(acme, viewer, fleet, monkeypatch, sort):
    monkeypatch.setattr(selectors, "DEVICE_PAGE_SIZE", 4)
    desc = sort.startswith("-")
    online, _ = walk(viewer, f"online=yes&sort={sort}")
    assert online == expected([d for d in fleet if d.online], desc)
    # A UID prefix matches named and unnamed devices; alone, its name arm reads the name table.
    prefix = fleet[0].uid[:-2]
    searched, _ = walk(viewer, f"q={prefix}&sort={sort}")
    assert searched == expected([d for d in fleet if d.uid.startswith(prefix)], desc)
    named, _ = walk(viewer, f"q=camera+0&sort={sort}")
    assert named == expected([d for d in fleet if "Camera 0" in d.display_name], desc)


def test_it_orders_the_export_and_bulk_jobs_the_same_way(acme, fleet):
    for sort in (Sort.parse("name"), Sort.parse("-name")):
        qs = selectors.filtered_devices(acme, {}).order_by(*selectors.ordering(sort))
        assert list(qs.values_list("uid", flat=True)) == expected(fleet, sort.desc)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
@pytest.mark.parametrize("desc", [False, True])
def test_it_walks_the_name_index_in_each_leg(acme, desc):
    made_up_fleet(acme, 3000)
    Device.objects.filter(partner=acme, id__in=Device.objects.filter(partner=acme).order_by("id")[:1500]).update(
        display_name=""
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_device")
    sort = Sort.parse("-name" if desc else "name")
    legs = selectors._legs("display_name")
    assert legs is not None
    valued, missing = legs
    qs = selectors.filtered_devices(acme, {})
    for leg, keys in ((valued, sort.keys), (missing, ("id",))):
        plan = qs.filter(leg).order_by(*selectors._plain_ordering(keys, desc))[:51].explain()
        assert "Sort" not in plan, plan
        assert "Index" in plan, plan
