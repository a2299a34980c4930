"""The device list's pages walk the sort's index on PostgreSQL, descending sorts of a
nullable column included (a page that sorts the whole fleet is slow at 100,000 devices)."""

import pytest
from django.db import connection

from devices import selectors
from devices.filters import Sort
from devices.models import Device

from .fleet_rows import made_up_fleet

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")


def valued_leg_plan(partner, filters, sort):
    qs = selectors.filtered_devices(partner, filters).filter(battery_percent__isnull=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_device")
    return qs.order_by(*selectors._leg_ordering(sort))[:51].explain()


@pytest.mark.parametrize("sort", ["-battery", "battery"])
def test_it_walks_the_battery_index_in_either_direction(acme, sort):
    made_up_fleet(acme, 3000)
    plan = valued_leg_plan(acme, {}, Sort.parse(sort))
    assert "device_partner_battery" in plan
    assert "Sort" not in plan


def test_it_walks_a_models_battery_readings_from_their_own_index(acme):
    made_up_fleet(acme, 3000)
    first = list(Device.objects.filter(partner=acme).order_by("id").values_list("id", flat=True)[:100])
    Device.objects.filter(id__in=first).update(model="Argus 3")  # ids depend on the tests run before
    plan = valued_leg_plan(acme, {"model": "Argus 3"}, Sort.parse("-battery"))
    assert "device_partner_model_battery" in plan


def test_it_pages_a_descending_battery_sort_with_the_devices_without_a_reading_last(acme):
    made_up_fleet(acme, 120)
    qs, seen, after = selectors.filtered_devices(acme, {}), [], None
    while True:
        rows, after = selectors.device_page(qs, Sort.parse("-battery"), after, size=25)
        seen += [(d.battery_percent, d.id) for d in rows]
        if after is None:
            break
    valued = sorted(((b, i) for b, i in seen if b is not None), reverse=True)
    nulls = sorted(((b, i) for b, i in seen if b is None), key=lambda row: -row[1])
    assert seen == valued + nulls
    assert len(seen) == Device.objects.filter(partner=acme).count()
