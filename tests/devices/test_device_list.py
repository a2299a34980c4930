"""The device list: search, filters, sorting, keyset pages, CSV export and htmx partials."""

import base64
import csv
import html
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devices import selectors
from devices.models import Device

from .fleet_rows import made_up_fleet, rows_from_sim

UID_CELL = re.compile(r"<code class=\"uid\">([A-Z0-9]{16})</code>")
MORE_LINK = re.compile(r'id="device-more".*?href="\?([^"]+)"', re.S)


def list_url(slug="acme"):
    return reverse("device_list", kwargs={"slug": slug})


def uids_in(response) -> list[str]:
    return UID_CELL.findall(response.content.decode())


def next_query(response) -> str | None:
    match = MORE_LINK.search(response.content.decode())
    return html.unescape(match.group(1)) if match else None


def walk(client, query: str, htmx: bool = False) -> tuple[list[str], int]:
    """Every UID over every page, following the "More devices" links; and how many pages."""
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(f"{list_url()}?{query}")
    assert response.status_code == 200
    uids, pages = uids_in(response), 1
    while (following := next_query(response)) is not None:
        response = client.get(f"{list_url()}?{following}", headers=headers)
        assert response.status_code == 200
        uids += uids_in(response)
        pages += 1
    return uids, pages


@pytest.fixture
def fleet(acme):
    return made_up_fleet(acme, 120, tag_every=4)


@pytest.fixture
def viewer(client_of, victor):
    return client_of(victor)


def test_it_lists_the_simulated_fleet_and_only_this_partners_devices(sim, acme_on_sim, viewer, bolt_camera):
    rows = rows_from_sim(sim, acme_on_sim)
    response = viewer.get(list_url())
    assert response.status_code == 200
    assert sorted(uids_in(response)) == sorted(d.uid for d in rows)
    assert bolt_camera.uid not in response.content.decode()
    assert f"<strong>{len(rows)}</strong> matching" in response.content.decode()


def test_it_searches_uid_name_and_model(acme, viewer, fleet):
    target = fleet[42]
    assert uids_in(viewer.get(list_url(), {"q": target.uid.lower()})) == [target.uid]
    by_name, _ = walk(viewer, "q=camera+05")
    assert set(by_name) == {d.uid for d in fleet if d.display_name == "Camera 05"}
    by_model, _ = walk(viewer, "q=zoom")
    assert set(by_model) == {d.uid for d in fleet if d.model == "E1 Zoom"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("online=yes", lambda d: d.online),
        ("online=no", lambda d: not d.online),
        ("family=battery", lambda d: d.family == "battery"),
        ("model=RLC-810A", lambda d: d.model == "RLC-810A"),
        ("firmware=v3.2.0", lambda d: d.firmware_version == "v3.2.0"),
        ("model=Argus+3+Pro&firmware=v3.1.0", lambda d: d.model == "Argus 3 Pro" and d.firmware_version == "v3.1.0"),
        ("battery_below=20", lambda d: d.battery_percent is not None and d.battery_percent < 20),
        ("charge=charging", lambda d: d.charge_status == "charging"),
        ("alarm=on", lambda d: d.alarm_enabled is True),
        ("alarm=off", lambda d: d.alarm_enabled is False),
        ("tag=North+site", lambda d: d.id in _tagged),
        (
            "online=no&family=battery&alarm=off",
            lambda d: not d.online and d.family == "battery" and d.alarm_enabled is False,
        ),
    ],
)
def test_it_applies_each_filter(acme, viewer, fleet, query, expected):
    _tagged.clear()
    _tagged.update(Device.objects.filter(tags__name="North site").values_list("id", flat=True))
    uids, _ = walk(viewer, query)
    wanted = {d.uid for d in fleet if expected(d)}
    assert wanted, "the fixture should match something"
    assert sorted(uids) == sorted(wanted)


_tagged: set[int] = set()


def _expected_order(devices, sort: str) -> list[str]:
    desc, name = sort.startswith("-"), sort.lstrip("-")
    keys = {
        "name": lambda d: (d.display_name, d.id),
        "uid": lambda d: (d.uid,),
        "model": lambda d: (d.model, d.firmware_version, d.id),
        "firmware": lambda d: (d.firmware_version, d.id),
        "battery": lambda d: (d.battery_percent, d.id),
        "last_seen": lambda d: (d.last_seen, d.id),
    }[name]
    valued = [d for d in devices if keys(d)[0] is not None]
    nulls = [d for d in devices if keys(d)[0] is None]
    # NULLs last in both directions, in id order (the same direction as the sort).
    ordered = sorted(valued, key=keys, reverse=desc) + sorted(nulls, key=lambda d: d.id, reverse=desc)
    return [d.uid for d in ordered]


@pytest.mark.parametrize(
    "sort",
    [
        "name",
        "-name",
        "uid",
        "-uid",
        "model",
        "-model",
        "firmware",
        "-firmware",
        "battery",
        "-battery",
        "last_seen",
        "-last_seen",
    ],
)
def test_it_sorts_every_device_once_in_order_over_keyset_pages(acme, viewer, fleet, sort):
    uids, pages = walk(viewer, f"sort={sort}", htmx=True)
    assert pages == 3  # 120 devices, 50 a page
    assert uids == _expected_order(fleet, sort)


def test_it_never_repeats_or_skips_across_pages_with_a_filter_and_a_sort(acme, viewer, fleet, settings, monkeypatch):
    monkeypatch.setattr(selectors, "DEVICE_PAGE_SIZE", 7)
    battery = [d for d in fleet if d.family == "battery"]
    uids, pages = walk(viewer, "family=battery&sort=-battery")
    assert pages >= 3
    assert uids == _expected_order(battery, "-battery")


def test_it_pages_without_offset_and_counts_at_most_once_capped(acme, viewer, fleet):
    with CaptureQueriesContext(connection) as first:
        response = viewer.get(list_url(), {"sort": "battery"})
    with CaptureQueriesContext(connection) as second:
        viewer.get(f"{list_url()}?{next_query(response)}", headers={"HX-Request": "true"})
    for query in [q["sql"] for q in first.captured_queries + second.captured_queries]:
        assert "OFFSET" not in query.upper()
    counts = [q["sql"] for q in first.captured_queries if "COUNT(*)" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]
    assert not [q for q in second.captured_queries if "COUNT(*)" in q["sql"].upper()]


def test_it_caps_the_count(acme, viewer, fleet, monkeypatch):
    monkeypatch.setattr(selectors, "MATCH_COUNT_CAP", 100)
    assert "<strong>100+</strong> matching" in viewer.get(list_url()).content.decode()
    assert "<strong>24</strong> matching" in viewer.get(list_url(), {"online": "no"}).content.decode()


def test_it_answers_an_htmx_filter_change_with_the_table_and_the_figures_out_of_band(acme, viewer, fleet):
    response = viewer.get(list_url(), {"online": "no"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="device-table"' in body
    assert re.search(r'id="device-summary"[^>]*hx-swap-oob="true"', body)
    assert re.search(r'id="sort-input"[^>]*hx-swap-oob="true"', body)
    assert "<strong>24</strong> matching" in body
    assert "HX-Request" in response["Vary"]
    # Viewers get no bulk form, hence no out-of-band scope for it.
    assert 'id="bulk-scope"' not in body


def test_it_answers_htmx_more_with_only_the_next_rows(acme, viewer, fleet):
    first = viewer.get(list_url())
    response = viewer.get(f"{list_url()}?{next_query(first)}", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<table" not in body and "<html" not in body
    assert len(uids_in(response)) == 50 and 'id="device-more"' in body


def test_it_keeps_filters_in_links_and_uses_href_beside_hx_get(acme, viewer, fleet):
    body = viewer.get(list_url(), {"family": "powered", "sort": "-firmware"}).content.decode()
    assert 'hx-push-url="true"' in body
    more = re.search(r'<a href="\?([^"]+)" hx-get="\?([^"]+)"[^>]*>More devices', body)
    assert more and more.group(1) == more.group(2) and "family=powered" in html.unescape(more.group(1))
    assert "sort=-firmware" in html.unescape(more.group(1))
    assert '/api/v1/partners/acme/devices.csv?family=powered&amp;sort=-firmware"' in body


def test_it_streams_every_matching_device_as_csv(acme, viewer, fleet):
    response = viewer.get(list_url(), {"format": "csv", "tag": "North site", "sort": "uid"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="acme-devices-' in response["Content-Disposition"]
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "uid",
        "name",
        "model",
        "family",
        "firmware",
        "online",
        "last_seen",
        "battery",
        "charge",
        "alarm",
        "tags",
        "transport",
    ]
    tagged = sorted(fleet[::4], key=lambda d: d.uid)
    assert [r[0] for r in rows[1:]] == [d.uid for d in tagged]
    first, device = rows[1], tagged[0]
    assert first[1] == device.display_name and first[2] == device.model and first[3] == device.family
    assert first[5] == ("true" if device.online else "false") and first[10] == "North site" and first[11] == "rop"
    assert first[7] == ("" if device.battery_percent is None else str(device.battery_percent))


def test_it_defuses_csv_cells_that_would_be_formulas(acme, viewer):
    Device.objects.create(partner=acme, uid="ACME000000000999", display_name="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(b"".join(viewer.get(list_url(), {"format": "csv"}).streaming_content).decode())))
    assert rows[1][1] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"battery_below": "lots"}, "Battery below %: Enter a whole number."),
        ({"battery_below": "500"}, "Battery below %: Ensure this value is less than or equal to 100."),
        ({"sort": "price"}, "Sort: Select a valid choice."),
        ({"online": "maybe"}, "Status: Select a valid choice."),
        ({"after": "not-a-cursor"}, "This page link is out of date"),
        ({"q": "x" * 500}, "Search: Ensure this value has at most 64 characters"),
    ],
)
def test_it_answers_bad_input_with_a_clear_message_not_a_500(acme, viewer, fleet, params, message):
    response = viewer.get(list_url(), params)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    htmx = viewer.get(list_url(), params, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and message in html.unescape(htmx.content.decode())
    export = viewer.get(list_url(), {**params, "format": "csv"})
    assert export.status_code == 400 and message in export.content.decode()


def test_it_refuses_a_cursor_from_another_sort_or_tampered(acme, viewer, fleet):
    query = next_query(viewer.get(list_url(), {"sort": "battery"}))
    assert query is not None and (found := re.search(r"after=([^&]+)", query)) is not None
    cursor = found.group(1)
    response = viewer.get(list_url(), {"sort": "name", "after": cursor})
    assert "This page link is out of date" in response.content.decode()
    for forged in (
        b'{"s":"battery","k":["x",1]}',
        b'{"s":"name","k":["a\\u0000",1]}',
        b'{"s":"name","k":["a",100000000000000000000000]}',
        b'{"s":"last_seen","k":["2024-01-01",1]}',
        b"[1, 2]",
        b"\xff\xfe",
    ):
        token = base64.urlsafe_b64encode(forged).decode().rstrip("=")
        sort = json.loads(forged)["s"] if forged.startswith(b"{") else "name"
        response = viewer.get(list_url(), {"sort": sort, "after": token})
        assert response.status_code == 200
        assert "This page link is out of date" in response.content.decode(), forged


def test_it_refuses_an_unknown_format(acme, viewer):
    response = viewer.get(list_url(), {"format": "xlsx"})
    assert response.status_code == 400 and b"format=csv" in response.content


def test_it_shows_checkboxes_and_bulk_buttons_to_operators_not_viewers(acme, client_of, victor, olga, fleet):
    body = client_of(victor).get(list_url()).content.decode()
    assert 'name="device"' not in body and "Disable alarm notifications" not in body
    body = client_of(olga).get(list_url()).content.decode()
    assert body.count('name="device"') == 50 and "Disable alarm notifications" in body
    # No button for what does not exist yet (firmware rollouts come with a later issue).
    assert "rollout" not in body.lower()


def test_it_reads_recent_bulk_actions_only_when_they_are_opened(acme, bolt, alice, viewer, fleet):
    from jobs.models import Job

    Job.objects.create(partner=acme, kind="bulk", action="refresh", user=alice, total=3)
    Job.objects.create(partner=bolt, kind="bulk", action="reboot", total=9)
    with CaptureQueriesContext(connection) as page_queries:
        page = viewer.get(list_url()).content.decode()
    assert not [q for q in page_queries.captured_queries if "jobs_job" in q["sql"]]
    recent_url = reverse("recent_bulk_jobs", kwargs={"slug": "acme"})
    assert f'hx-get="{recent_url}" hx-trigger="toggle once"' in page

    section = viewer.get(recent_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in section and 'class="recent-jobs-body"' in section
    assert "× 3" in section and "alice" in section
    assert "× 9" not in section  # another partner's job
    assert reverse("job_list", kwargs={"slug": "acme"}) in section


def test_it_says_when_there_are_no_recent_bulk_actions(acme, viewer):
    section = viewer.get(reverse("recent_bulk_jobs", kwargs={"slug": "acme"})).content.decode()
    assert "No bulk actions yet." in section
