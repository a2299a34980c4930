# The audit log is its own app now (audit.0001 took the model over in Django's state);
# the table and its rows are left as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("partners", "0002_partner_last_synced_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
