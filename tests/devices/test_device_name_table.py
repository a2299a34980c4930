"""The name table (devices.models.DeviceName) follows devices_device through its
triggers (migration 0012), whoever writes: bulk_create, save(), update(), a delete."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices import selectors
from devices.filters import Sort
from devices.models import Device, DeviceName

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


def names() -> dict[int, tuple[int, str, str]]:
    return {n.device_id: (n.partner_id, n.display_name, n.name_upper) for n in DeviceName.objects.all()}


def test_it_holds_the_devices_a_bulk_create_adds(acme):
    devices = Device.objects.bulk_create(
        [Device(partner=acme, uid=f"ACME{i:012d}", display_name=f"Quay cam {i}") for i in range(3)]
    )
    assert names() == {d.id: (acme.id, d.display_name, d.display_name.upper()) for d in devices}


def test_it_holds_a_device_created_alone_and_skips_a_conflict(acme):
    device = Device.objects.create(partner=acme, uid="ACME000000000001", display_name="Gate")
    Device.objects.bulk_create(
        [Device(partner=acme, uid="ACME000000000001", display_name="Other")], ignore_conflicts=True
    )
    assert names() == {device.id: (acme.id, "Gate", "GATE")}


def test_it_follows_a_rename_by_save_and_by_update(acme):
    device = Device.objects.create(partner=acme, uid="ACME000000000001", display_name="Gate")
    device.display_name = "Front door"
    device.save()
    assert names() == {device.id: (acme.id, "Front door", "FRONT DOOR")}
    Device.objects.filter(id=device.id).update(display_name="Loading bay")
    assert names() == {device.id: (acme.id, "Loading bay", "LOADING BAY")}


def test_it_follows_a_device_to_another_partner(acme, bolt):
    device = Device.objects.create(partner=acme, uid="ACME000000000001", display_name="Gate")
    Device.objects.filter(id=device.id).update(partner=bolt)
    assert names() == {device.id: (bolt.id, "Gate", "GATE")}


def test_it_is_not_written_by_a_poll(acme):
    device = Device.objects.create(partner=acme, uid="ACME000000000001", display_name="Gate")
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM devices_devicename WHERE device_id = %s", [device.id])
        (before,) = cursor.fetchone()
        Device.objects.filter(id=device.id).update(online=False, battery_percent=40)
        device.online = True
        device.save()  # every column, the name unchanged
        cursor.execute("SELECT xmin::text FROM devices_devicename WHERE device_id = %s", [device.id])
        (after,) = cursor.fetchone()
    assert after == before  # the row was not rewritten


def test_it_lets_a_deleted_device_take_its_row(acme):
    kept, gone = (
        Device.objects.create(partner=acme, uid=f"ACME00000000000{i}", display_name=f"Cam {i}") for i in (1, 2)
    )
    gone.delete()
    acme_devices = Device.objects.filter(partner=acme)
    assert set(names()) == {kept.id} == set(acme_devices.values_list("id", flat=True))


def test_it_answers_a_name_search_alone_from_the_name_table(acme):
    Device.objects.bulk_create(
        [
            Device(partner=acme, uid=f"ACME{i:012d}", display_name=f"{site} cam {i}")
            for i, site in enumerate(["Quay", "Yard"] * 60)
        ]
    )
    Device.objects.filter(display_name="Quay cam 0").update(display_name="Yard cam 0")  # the table follows
    with CaptureQueriesContext(connection) as queries:
        rows, _ = selectors.list_page(acme, {"q": "yard cam", "online": ""}, Sort.parse("name"), None, size=5)
    (page_query,) = [q["sql"] for q in queries.captured_queries]
    assert "devices_devicename" in page_query
    expected = Device.objects.filter(partner=acme, display_name__icontains="yard cam").order_by("display_name", "id")
    assert [row.id for row in rows] == list(expected.values_list("id", flat=True)[:5])
    assert rows[0].display_name == "Yard cam 0"


def test_it_reads_devices_device_when_another_filter_is_chosen(acme):
    Device.objects.create(partner=acme, uid="ACME000000000001", display_name="Quay cam", online=False)
    with CaptureQueriesContext(connection) as queries:
        rows, _ = selectors.list_page(acme, {"q": "quay", "online": "yes"}, Sort.parse("name"), None)
    assert rows == []
    assert "devices_devicename" not in queries.captured_queries[0]["sql"]
