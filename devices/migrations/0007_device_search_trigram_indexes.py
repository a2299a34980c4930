"""Trigram indexes for the device list's text search (uid, name, model).

PostgreSQL only: pg_trgm's GIN indexes answer the search's `LIKE '%…%'` without scanning
the fleet. They are not in Device.Meta.indexes because SQLite has no GIN index; there the
search stays a plain LIKE (correct, unindexed). The expressions match what the ORM writes
for the search in devices.selectors.search_condition (and the admin's search on the same columns),
`UPPER(col::text) LIKE UPPER('…')`, so the planner can use them."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "device_uid_trgm": "UPPER(uid::text)",
    "device_name_trgm": "UPPER(display_name::text)",
    "device_model_trgm": "UPPER(model::text)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON devices_device USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0006_lan_poller_heartbeat"),
    ]

    operations = [
        # CreateExtension does nothing on other databases.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
