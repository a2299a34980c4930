"""A btree index for the device list's UID-prefix search.

The search's UID arm is a prefix match, `UPPER(uid::text) LIKE 'BENC0000000123%'`
(devices.selectors.search_condition). The trigram index of migration 0007 answers it,
but a UID is mostly digits whose trigrams ("000", "001"…) are in every row: at 100,000
devices its bitmap scan took 4.7 ms for 100 matches. A btree index with
text_pattern_ops answers a LIKE prefix as a range scan, whatever the collation
(0.1 ms), and the planner picks it for that arm of the search's BitmapOr. The trigram
index stays: the Django admin's search looks for a part of a UID anywhere.

PostgreSQL only, like 0007: SQLite has no operator classes (its search is a plain LIKE)."""

from django.db import migrations

NAME = "device_uid_upper_prefix"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON devices_device ((UPPER(uid::text)) text_pattern_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0008_health_sample_bucket_statistics"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
