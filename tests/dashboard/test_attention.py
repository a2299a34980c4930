"""The overview's "needs attention": each kind of problem with its count, linking to the
list that shows it; "nothing needs attention" on a healthy fleet; firmware builds compared
across the two spellings a camera reports."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import attention, views
from devices.models import Device, Family, ItemResult
from jobs.models import ItemState, Job, JobItem, JobState
from partners.circuit import CircuitState
from tests.devices.fleet_rows import made_up_fleet

ITEM = re.compile(r'<li class="attention-(\w+)" data-kind="(\w+)"><a href="([^"]+)">([^<]+)</a></li>')


def items(page: str) -> list[tuple[str, str, str, str]]:
    return [(severity, kind, html.unescape(url), text) for severity, kind, url, text in ITEM.findall(page)]


@pytest.fixture
def troubled(acme, alice):
    return troubled_fleet(acme, alice)


def troubled_fleet(acme, alice):
    """Offline devices, low batteries, a job and a rollout running, a job failed today (and
    one three days ago), RLC-810A devices behind their newest build."""
    made_up_fleet(acme, 40)  # some offline, some low batteries, versions without a build
    for uid, version in [
        ("RLCA000000000001", "RLC_810A_230515_2356"),
        ("RLCA000000000002", "v3.0.0.2356_23051500"),  # the same build, the other spelling
        ("RLCA000000000003", "RLC_810A_220101_1000"),
        ("RLCA000000000004", "v3.0.0.1000_22010100"),
    ]:
        Device.objects.create(
            partner=acme, uid=uid, model="RLC-810A", family=Family.POWERED, firmware_version=version, online=True
        )
    Job.objects.create(partner=acme, user=alice, kind="bulk", action="refresh", state=JobState.RUNNING, total=3)
    Job.objects.create(partner=acme, user=alice, kind="rollout", state=JobState.RUNNING, total=5)
    failed = Job.objects.create(
        partner=acme, user=alice, kind="bulk", state=JobState.DONE, total=1, finished_at=timezone.now()
    )
    JobItem.objects.create(job=failed, target_id=1, state=ItemState.DONE, result=ItemResult.ERROR, message="No.")
    old = Job.objects.create(
        partner=acme,
        user=alice,
        kind="bulk",
        state=JobState.DONE,
        total=1,
        finished_at=timezone.now() - timedelta(days=3),
    )
    JobItem.objects.create(job=old, target_id=1, state=ItemState.DONE, result=ItemResult.ERROR, message="No.")
    return acme


def test_it_lists_each_kind_of_problem_with_a_link_to_its_list(client_of, alice, troubled, monkeypatch):
    opened = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
    monkeypatch.setattr(views, "circuit_state", lambda partner: CircuitState(opened, opened + timedelta(seconds=30)))
    client = client_of(alice)
    page = client.get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    found = items(page)
    kinds = [kind for _, kind, _, _ in found]
    assert kinds == ["circuit", "offline", "battery", "rollouts", "jobs", "failed", "firmware"]
    by_kind = {kind: (severity, url, text) for severity, kind, url, text in found}
    offline = Device.objects.filter(partner=troubled, online=False).count()
    low = Device.objects.filter(partner=troubled, battery_percent__lt=20).count()
    assert by_kind["offline"][2] == f"{offline} devices offline" and by_kind["offline"][0] == "bad"
    assert by_kind["battery"][2] == f"{low} batteries below 20 %"
    assert by_kind["rollouts"] == ("warn", "/p/acme/firmware/rollouts/", "1 rollout running")
    assert by_kind["jobs"] == ("warn", "/p/acme/jobs/", "1 job running")
    assert by_kind["failed"] == ("bad", "/p/acme/jobs/", "1 job with failed devices in the last day")
    assert by_kind["firmware"][2] == "2 RLC-810A devices not on the newest firmware, RLC_810A_230515_2356"
    # Each link is the list that shows it.
    rlc = Device.objects.filter(partner=troubled, model="RLC-810A").count()
    for kind, expected in (("offline", offline), ("battery", low), ("firmware", rlc)):
        listed = client.get(by_kind[kind][1]).content.decode()
        assert f"<strong>{expected}</strong> matching" in listed, kind


def test_it_says_when_nothing_needs_attention(client_of, alice, acme):
    Device.objects.create(partner=acme, uid="HEALTHY000000001", model="E1 Zoom", online=True, firmware_version="v1")
    page = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert items(page) == []
    assert "Nothing needs attention" in page


@pytest.mark.parametrize(
    ("version", "key"),
    [
        ("RLC_810A_230515_2356", (230515, 2356)),
        ("v3.0.0.2356_23051500", (230515, 2356)),
        ("Argus_3_Pro_240101_2400", (240101, 2400)),
        ("v3.2.0", None),
        ("", None),
    ],
)
def test_it_reads_a_builds_date_and_number_from_either_spelling(version, key):
    assert attention.build_key(version) == key
