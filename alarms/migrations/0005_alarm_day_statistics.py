"""Statistics on the day an alarm arrived, for the reports page's alarms per day.

Grouping by DATE_TRUNC('day', received_at AT TIME ZONE 'UTC') (dashboard/report_data.py):
with statistics on that expression PostgreSQL knows there are a few hundred groups and
hashes them instead of sorting every alarm of the period. PostgreSQL only."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS alarm_event_day_stats "
        "ON (date_trunc('day', received_at AT TIME ZONE 'UTC')) FROM alarms_alarmevent"
    )
    schema_editor.execute("ANALYZE alarms_alarmevent")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS alarm_event_day_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("alarms", "0004_lan_event_end"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
