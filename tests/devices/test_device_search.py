"""The device list's text search: what it finds, the trigram indexes answering it on
PostgreSQL, and the match count reused while a filter stays the same."""

import pytest
from django.db import connection
from django.urls import reverse

from devices import selectors
from devices.models import Device

from .fleet_rows import made_up_fleet


def search(partner, q):
    return sorted(selectors.filtered_devices(partner, {"q": q}).values_list("uid", flat=True))


@pytest.fixture
def named(acme):
    rows = [
        ("ACME000000000001", "Harbour gate", "Argus 3 Pro"),
        ("ACME000000000002", "harbour office", "RLC-810A"),
        ("ACME000000000003", "Depot", "E1 Zoom"),
        ("ACMF000000000004", "Tower", "Argus PT"),
    ]
    return Device.objects.bulk_create(
        [Device(partner=acme, uid=uid, display_name=name, model=model) for uid, name, model in rows]
    )


def test_it_finds_devices_by_a_part_of_the_name_in_any_case(acme, named):
    assert search(acme, "HARBOUR") == ["ACME000000000001", "ACME000000000002"]
    assert search(acme, "bour off") == ["ACME000000000002"]


def test_it_finds_devices_by_a_part_of_the_model(acme, named):
    assert search(acme, "argus") == ["ACME000000000001", "ACMF000000000004"]
    assert search(acme, "810") == ["ACME000000000002"]


def test_it_finds_devices_by_uid_prefix_only_and_in_any_case(acme, named):
    assert search(acme, "acme0") == ["ACME000000000001", "ACME000000000002", "ACME000000000003"]
    # A part of a UID that is not its start finds nothing: UIDs are looked up by prefix.
    assert search(acme, "000000000004") == []


def test_it_treats_like_wildcards_in_the_search_as_plain_characters(acme, named):
    assert search(acme, "%") == []
    assert search(acme, "_") == []


def test_it_never_finds_another_partners_devices(acme, bolt, named):
    Device.objects.create(partner=bolt, uid="BOLT000000000001", display_name="Harbour gate")
    assert search(bolt, "harbour") == ["BOLT000000000001"]
    assert "BOLT000000000001" not in search(acme, "harbour")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes exist on PostgreSQL only")
def test_it_answers_the_search_from_the_uid_prefix_and_trigram_indexes(acme, bolt):
    made_up_fleet(acme, 3000)
    made_up_fleet(bolt, 500)
    Device.objects.filter(partner=acme, uid__endswith="0042").update(display_name="Lighthouse north")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_device")
        # Without scans of the whole table or of a whole partner's index, only the search
        # indexes can answer the search's condition: its plan must be their BitmapOr, the
        # UID prefix from its btree index (migration 0009), name and model from trigrams.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        matching = Device.objects.filter(selectors.search_condition("lighthouse")).values("id")
        plan = matching.explain()
        assert "BitmapOr" in plan
        indexes = {"device_uid_upper_prefix", "device_name_trgm", "device_model_trgm"}
        assert indexes <= set(plan.replace("(", " ").split())
        assert "Seq Scan" not in plan
        assert matching.count() == 1


def test_it_counts_a_filter_once_and_reuses_the_count_for_a_minute(acme):
    made_up_fleet(acme, 30)
    qs = selectors.filtered_devices(acme, {"online": "yes"})
    first = selectors.cached_count(acme, {"online": "yes"}, qs)
    assert first == qs.count()
    Device.objects.filter(partner=acme, online=True).update(online=False)
    assert selectors.cached_count(acme, {"online": "yes"}, qs) == first  # the kept figure
    assert selectors.cached_count(acme, {"online": "no"}, selectors.filtered_devices(acme, {"online": "no"})) == 30


def test_it_reads_the_kept_count_and_the_suggestions_together(acme):
    made_up_fleet(acme, 30)
    qs = selectors.filtered_devices(acme, {"online": "yes"})
    count, suggestions = selectors.list_figures(acme, {"online": "yes"}, qs, count=True)
    assert count == qs.count()
    assert suggestions == selectors.filter_suggestions(acme)
    Device.objects.filter(partner=acme, online=True).update(online=False)
    assert selectors.list_figures(acme, {"online": "yes"}, qs, count=True)[0] == count  # the kept figure
    assert selectors.cached_count(acme, {"online": "yes"}, qs) == count  # the same key
    assert selectors.list_figures(acme, {"online": "yes"}, qs, count=False) == (None, suggestions)


def test_it_shows_the_search_results_on_the_list_page(client_of, alice, acme, named):
    response = client_of(alice).get(reverse("device_list", kwargs={"slug": "acme"}) + "?q=harbour")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Harbour gate" in body and "harbour office" in body and "Tower" not in body
    assert "<strong>2</strong> matching" in body
