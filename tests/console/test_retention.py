"""Retention of the audit log (AUDIT_RETENTION_DAYS) and of alarm events (ALARM_RETENTION_DAYS):
beat-driven tasks delete what is older, in batches; 0 keeps everything."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alarms.models import AlarmEvent
from alarms.tasks import prune_alarm_events
from audit.models import AuditEntry
from audit.tasks import prune_audit_log
from core import retention
from rop_fleet.celery import app

AGES = (1, 10, 40, 400)


def age(rows, field, days_by_id):
    for row_id, days in days_by_id.items():
        rows.filter(id=row_id).update(**{field: timezone.now() - timedelta(days=days, hours=1)})


@pytest.fixture
def entries(acme, bolt):
    ids = {}
    for partner in (acme, bolt):
        for days in AGES:
            ids[AuditEntry.objects.create(partner=partner, action="test.entry").id] = days
    age(AuditEntry.objects, "created_at", ids)
    return ids


@pytest.fixture
def alarms(acme, bolt):
    ids = {}
    for partner in (acme, bolt):
        for days in AGES:
            ids[AlarmEvent.objects.create(partner=partner, device_uid="95270000ACME0001", status="MD").id] = days
    age(AlarmEvent.objects, "received_at", ids)
    return ids


def kept_ages(model, ids):
    return sorted(ids[pk] for pk in model.objects.values_list("id", flat=True))


def test_it_prunes_audit_entries_past_the_retention_of_every_partner(settings, entries):
    settings.AUDIT_RETENTION_DAYS = 30
    prune_audit_log()  # the periodic task, run in-process
    assert kept_ages(AuditEntry, entries) == [1, 1, 10, 10]


def test_it_prunes_alarm_events_past_their_retention(settings, alarms):
    settings.ALARM_RETENTION_DAYS = 7
    prune_alarm_events()
    assert kept_ages(AlarmEvent, alarms) == [1, 1]


def test_it_keeps_everything_with_a_retention_of_zero(settings, entries, alarms):
    settings.AUDIT_RETENTION_DAYS = settings.ALARM_RETENTION_DAYS = 0
    prune_audit_log()
    prune_alarm_events()
    assert len(kept_ages(AuditEntry, entries)) == len(kept_ages(AlarmEvent, alarms)) == 2 * len(AGES)


def test_it_deletes_a_backlog_in_batches_of_bounded_size(settings, monkeypatch, acme):
    old = timezone.now() - timedelta(days=500)
    AuditEntry.objects.bulk_create(AuditEntry(partner=acme, action="test.old") for _ in range(25))
    AuditEntry.objects.update(created_at=old)
    AuditEntry.objects.create(partner=acme, action="test.new")
    monkeypatch.setattr(retention, "BATCH", 10)
    settings.AUDIT_RETENTION_DAYS = 30
    with CaptureQueriesContext(connection) as queries:
        prune_audit_log()
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 10 + 10 + 5, never one statement for the whole backlog
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.new"]


def test_it_runs_both_prunes_from_beat():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"audit.tasks.prune_audit_log", "alarms.tasks.prune_alarm_events"} <= tasks
