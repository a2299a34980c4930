"""Every list in JSON (keyset pages with a `next` link) and in CSV, with the filters of
its console list; dates in ISO 8601 UTC with "Z"."""

import csv
import io

import pytest
from django.test import Client

from devices.models import Device
from tests.devices.fleet_rows import made_up_fleet

from .conftest import make_history

BASE = "/api/v1/partners/acme"


def walk(api, url):
    """Every row of a JSON list, following `next` links; and the pages' sizes."""
    rows, sizes = [], []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["data"]
        sizes.append(len(page["data"]))
        url = page["next"]
        assert (url is None) == (page["cursor"] is None)
    return rows, sizes


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def fleet(acme, bolt, alice, bob):
    devices = made_up_fleet(acme, 25, tag_every=4)
    made_up_fleet(bolt, 5)
    history = make_history(acme, devices, alice)
    make_history(bolt, list(Device.objects.filter(partner=bolt)), bob)
    return {"devices": devices, **history}


def test_it_pages_devices_with_the_device_lists_filters_and_sorts(api, fleet):
    rows, sizes = walk(api, f"{BASE}/devices/?online=yes&sort=-battery&limit=7")
    expected = Device.objects.filter(partner__slug="acme", online=True)
    assert sorted(r["uid"] for r in rows) == sorted(expected.values_list("uid", flat=True))
    assert sizes[0] == 7 and len(sizes) == -(-len(rows) // 7)
    batteries = [r["battery_percent"] for r in rows if r["battery_percent"] is not None]
    assert batteries == sorted(batteries, reverse=True)
    assert all(r["last_seen"] is None or r["last_seen"].endswith("Z") for r in rows)
    assert next(iter(r for r in rows if r["tags"]))["tags"] == ["North site"]


def test_it_searches_devices_like_the_device_list(api, client_of, alice, fleet):
    page = api.get(f"{BASE}/devices/?q=camera 03&sort=uid").json()
    console = client_of(alice).get("/p/acme/devices/?q=camera 03&sort=uid")
    assert [r["uid"] for r in page["data"]] == [d["uid"] for d in console.context["rows"]]
    assert page["data"]


def test_it_exports_devices_as_csv_with_the_same_filters(api, fleet):
    rows = csv_rows(api.get(f"{BASE}/devices.csv?tag=North site"))
    assert {r["uid"] for r in rows} == {d.uid for d in fleet["devices"][::4]}
    assert list(rows[0]) == [
        "uid", "name", "model", "family", "transport", "firmware", "online", "last_seen",
        "battery_percent", "charge_status", "alarm_enabled", "tags",
    ]  # fmt: skip
    same = csv_rows(api.get(f"{BASE}/devices/?tag=North site&format=csv"))
    assert same == rows
    assert all(r["last_seen"] == "" or r["last_seen"].endswith("Z") for r in rows)
    assert {r["online"] for r in rows} <= {"true", "false"}


@pytest.mark.parametrize(
    ("query", "symbol"),
    [
        ("online=maybe", "bad_filter"),
        ("sort=colour", "bad_filter"),
        ("battery_below=500", "bad_filter"),
        ("limit=0", "bad_parameter"),
        ("limit=1001", "bad_parameter"),
        ("format=xml", "bad_parameter"),
        ("cursor=not-a-cursor", "bad_cursor"),
        ("q=%00", "bad_filter"),
    ],
)
def test_it_answers_400_for_a_bad_filter_limit_or_cursor(api, fleet, query, symbol):
    response = api.get(f"{BASE}/devices/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["symbol"] == symbol


def test_it_refuses_a_cursor_of_another_sort(api, fleet):
    cursor = api.get(f"{BASE}/devices/?limit=2&sort=uid").json()["cursor"]
    response = api.get(f"{BASE}/devices/?limit=2&sort=name&cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["symbol"] == "bad_cursor"


def test_it_pages_and_exports_health_samples_by_device(api, fleet):
    uid = fleet["devices"][3].uid
    rows, _ = walk(api, f"{BASE}/health-samples/?limit=4")
    assert len(rows) == 25
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert all(r["taken_at"].endswith("Z") for r in rows)
    one = api.get(f"{BASE}/health-samples/?device={uid.lower()}").json()["data"]
    assert [r["device_uid"] for r in one] == [uid]
    assert [r["device_uid"] for r in csv_rows(api.get(f"{BASE}/health-samples.csv?device={uid}"))] == [uid]
    assert api.get(f"{BASE}/health-samples/?since=2999-01-01").json()["data"] == []
    assert api.get(f"{BASE}/health-samples/?since=yesterday").status_code == 400


def test_it_pages_and_exports_alarms_with_the_feeds_filters(api, fleet):
    rows, sizes = walk(api, f"{BASE}/alarms/?limit=10&ai_type=people")
    assert len(rows) == 25 and sizes == [10, 10, 5]
    assert {r["device_uid"] for r in rows} == {d.uid for d in fleet["devices"]}
    assert api.get(f"{BASE}/alarms/?status=videoLoss").json()["data"] == []
    uid = fleet["devices"][0].uid
    exported = csv_rows(api.get(f"{BASE}/alarms/?format=csv&device={uid}"))
    assert [(r["device_uid"], r["ai_types"]) for r in exported] == [(uid, "people")]


def test_it_pages_and_exports_the_audit_log_with_its_filters(api, fleet):
    rows, _ = walk(api, f"{BASE}/audit/?action=device.alarm&limit=20")
    assert len(rows) == 25 and {r["user"] for r in rows} == {"alice"}
    uid = fleet["devices"][1].uid
    one = csv_rows(api.get(f"{BASE}/audit.csv?device={uid}"))
    assert [(r["target_label"], r["params"]) for r in one] == [(uid, '{"enabled": true}')]
    assert api.get(f"{BASE}/audit/?user=bob").json()["data"] == []


def test_it_lists_firmware_images(api, fleet):
    page = api.get(f"{BASE}/firmware/").json()
    assert [r["file_name"] for r in page["data"]] == [fleet["image"].file_name]
    assert page["data"][0]["created_at"].endswith("Z")
    assert [r["id"] for r in csv_rows(api.get(f"{BASE}/firmware.csv"))] == [str(fleet["image"].id)]


def test_it_lists_jobs_and_a_jobs_results(api, fleet):
    jobs = api.get(f"{BASE}/jobs/").json()["data"]
    assert {j["kind"] for j in jobs} == {"rollout", "bulk"}
    results, sizes = walk(api, f"{BASE}/jobs/{fleet['job'].id}/results/?limit=10")
    assert sizes == [10, 10, 5]
    assert {r["target_code"] for r in results} == {d.uid for d in fleet["devices"]}
    assert len(csv_rows(api.get(f"{BASE}/jobs/{fleet['job'].id}/results.csv?result=ok"))) == 25


def test_it_lists_rollouts_and_their_results_by_result(api, fleet):
    rollouts = api.get(f"{BASE}/rollouts/").json()["data"]
    assert [(r["name"], r["image_file_name"], r["state"]) for r in rollouts] == [
        ("Spring", fleet["image"].file_name, "done")
    ]
    url = f"{BASE}/rollouts/{fleet['rollout'].id}/results/"
    failed = api.get(f"{url}?result=failed").json()["data"]
    assert {r["target_code"] for r in failed} == {d.uid for d in fleet["devices"][::3]}
    assert len(csv_rows(api.get(f"{url}?result=succeeded&format=csv"))) == 25 - len(failed)
    response = api.get(f"{url}?result=nonsense")
    assert response.status_code == 400 and response.json()["error"]["symbol"] == "bad_filter"


def test_it_answers_404_for_another_partners_job_or_rollout(api, bolt, fleet):
    from firmware.models import Rollout
    from jobs.models import Job

    other_job = Job.objects.filter(partner=bolt, kind="bulk").get()
    other_rollout = Rollout.objects.get(partner=bolt)
    for url in (f"{BASE}/jobs/{other_job.id}/results/", f"{BASE}/rollouts/{other_rollout.id}/results.csv"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["symbol"] == "not_found"


@pytest.mark.parametrize("path", ["devices", "health-samples", "firmware", "jobs", "rollouts", "alarms", "audit"])
def test_it_never_shows_another_partners_rows(bolt_token, fleet, path):
    bob_api = Client(headers={"Authorization": f"Bearer {bolt_token}"})
    rows, _ = walk(bob_api, f"/api/v1/partners/bolt/{path}/?limit=1000")
    text = str(rows) + str(csv_rows(bob_api.get(f"/api/v1/partners/bolt/{path}.csv")))
    assert rows  # Bolt has some of each
    assert "ACME" not in text


def test_it_lists_a_json_page_of_devices_in_a_fixed_number_of_queries(api, fleet, django_assert_max_num_queries):
    # Tags come with the page's rows, never a query per device (there are 25 here).
    with django_assert_max_num_queries(8):
        page = api.get(f"{BASE}/devices/?limit=50").json()
    assert len(page["data"]) == len(fleet["devices"])
    assert any(row["tags"] for row in page["data"])
    assert {row["transport"] for row in page["data"]} == {"rop"}
