"""A short pending list for the device list's trigram indexes (migration 0007).

A GIN index takes new entries into an unsorted pending list (fastupdate) and merges
them into the index when the list outgrows gin_pending_list_limit (4 MB by default) or
at a VACUUM. Every search reads the whole list: a device's poll rewrites its row
(last_seen and battery_percent are indexed, so no HOT update) and thereby adds its
trigrams to the list, so the list is rarely empty. At 100,000 devices it held 200 to
400 pages per index, and a UID-prefix search, which asks the name and model indexes
too, spent 7 of its 7.5 ms reading them (0.4 ms once merged). 64 kB (the least
PostgreSQL allows, 8 pages) keeps the batching of inserts that fastupdate is for,
and a search reads at most 8 pages of it. The Django admin's search uses the same
indexes and gains the same.

PostgreSQL only, like 0007: SQLite has no GIN index."""

from django.db import migrations


INDEXES = ("device_uid_trgm", "device_name_trgm", "device_model_trgm")
PENDING_LIST_KB = 64


def limit_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = {PENDING_LIST_KB})")
        # The new limit applies to the next insert: merge what the list holds now.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def default_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0010_device_partner_model_battery_index"),
    ]

    operations = [
        migrations.RunPython(limit_pending_lists, default_pending_lists, elidable=False),
    ]
