# The audit log's own table name, and a generic target (type, id, label) beside the
# device foreign key it replaces (filled in 0003, the key dropped in 0004).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("partners", "0003_auditentry_moves_to_audit"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table=None),
        migrations.AddField(
            model_name="auditentry",
            name="target_type",
            field=models.CharField(blank=True, default="", help_text='e.g. "devices.device"', max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="target_label",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
    ]
