"""Statistics on the hour and the day of a health sample, for the reports page.

The page groups samples by DATE_TRUNC('hour'|'day', taken_at AT TIME ZONE 'UTC')
(dashboard/report_data.py). Without statistics on that expression PostgreSQL takes
taken_at's own distinct count (about one per row) as the number of groups, and sorts a
million rows to disk instead of hashing into a few hundred groups (3.2 s against 0.7 s
at 1,000,000 samples). PostgreSQL only; nothing to do elsewhere."""

from django.db import migrations

STATISTICS = {
    "health_sample_hour_stats": "date_trunc('hour', taken_at AT TIME ZONE 'UTC')",
    "health_sample_day_stats": "date_trunc('day', taken_at AT TIME ZONE 'UTC')",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in STATISTICS.items():
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM devices_devicehealthsample")
    schema_editor.execute("ANALYZE devices_devicehealthsample")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0007_device_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
