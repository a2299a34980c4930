"""alarms.0003 gives every alarm stored before folding existed a count of one and a
last_seen_at equal to when it was received."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("alarms", "0002_initial")]
AFTER = [("alarms", "0003_dedupe_and_settings")]


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


@pytest.fixture
def before_folding(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_it_keeps_old_alarms_as_single_alarms_last_seen_when_received(before_folding):
    Partner = before_folding.get_model("partners", "Partner")
    AlarmEvent = before_folding.get_model("alarms", "AlarmEvent")
    partner = Partner.objects.create(name="Acme", slug="acme", rop_base_url="http://127.0.0.1:9")
    old = AlarmEvent.objects.create(partner=partner, device_uid="95270000ACME0001", status="MD")
    received = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    AlarmEvent.objects.filter(id=old.id).update(received_at=received)

    AlarmEvent = migrate(AFTER).get_model("alarms", "AlarmEvent")
    migrated = AlarmEvent.objects.get(id=old.id)
    assert (migrated.count, migrated.received_at, migrated.last_seen_at) == (1, received, received)
