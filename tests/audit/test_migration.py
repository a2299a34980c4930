"""The audit log's move from partners to its own app kept every row, and turned each
entry's device foreign key into a generic target (audit.0003), both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("audit", "0002_generic_target")]  # device key and target columns side by side
AFTER = [("audit", "0003_target_from_device")]


def migrate(targets):
    """Migrate the test database to `targets`; the models as they are there, every app."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


@pytest.fixture
def at_device_key(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_it_turns_device_keys_into_targets_and_back(at_device_key):
    apps = at_device_key
    Partner = apps.get_model("partners", "Partner")
    Device = apps.get_model("devices", "Device")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    partner = Partner.objects.create(name="Acme", slug="acme", rop_base_url="http://127.0.0.1:9")
    kept = Device.objects.create(partner=partner, uid="UIDKEPT")
    gone = Device.objects.create(partner=partner, uid="UIDGONE")
    about_kept = AuditEntry.objects.create(partner=partner, action="device.alarm", device=kept, device_uid="UIDKEPT")
    about_gone = AuditEntry.objects.create(partner=partner, action="device.alarm", device=gone, device_uid="UIDGONE")
    about_none = AuditEntry.objects.create(partner=partner, action="member.added")
    gone.delete()  # SET_NULL: the entry keeps only the uid

    AuditEntry = migrate(AFTER).get_model("audit", "AuditEntry")
    rows = {e.id: (e.target_type, e.target_id, e.target_label) for e in AuditEntry.objects.all()}
    assert rows == {
        about_kept.id: ("devices.device", kept.id, "UIDKEPT"),
        about_gone.id: ("devices.device", None, "UIDGONE"),
        about_none.id: ("", None, ""),
    }

    AuditEntry = migrate(BEFORE).get_model("audit", "AuditEntry")
    back = {e.id: (e.device_id, e.device_uid) for e in AuditEntry.objects.all()}
    assert back == {about_kept.id: (kept.id, "UIDKEPT"), about_gone.id: (None, "UIDGONE"), about_none.id: (None, "")}
