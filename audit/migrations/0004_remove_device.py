from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_target_from_device"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditentry", name="audit_partner_device"),
        migrations.RemoveField(model_name="auditentry", name="device"),
        migrations.RemoveField(model_name="auditentry", name="device_uid"),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["partner", "target_label", "-id"], name="audit_partner_target"),
        ),
    ]
