# AuditEntry moves from partners to audit without touching its rows: this migration
# only takes the model over in Django's state (the table stays partners_auditentry
# until 0002), and partners.0003 drops it from the partners app's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    # Keeps permissions granted on audit entries (admin) attached to the moved model.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="audit", model="auditentry").exists():
        ContentType.objects.filter(app_label="partners", model="auditentry").update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="partners", model="auditentry").exists():
        ContentType.objects.filter(app_label="audit", model="auditentry").update(app_label="partners")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("devices", "0001_initial"),
        ("partners", "0002_partner_last_synced_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("action", models.CharField(max_length=64)),
                        ("device_uid", models.CharField(blank=True, default="", max_length=16)),
                        ("params", models.JSONField(blank=True, default=dict)),
                        ("result", models.CharField(default="ok", max_length=32)),
                        ("message", models.TextField(blank=True, default="")),
                        ("device", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="devices.device")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ("partner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="audit_entries", to="partners.partner")),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-id"],
                        "db_table": "partners_auditentry",
                        "indexes": [
                            models.Index(fields=["partner", "-id"], name="audit_partner_recent"),
                            models.Index(fields=["partner", "action", "-id"], name="audit_partner_action"),
                            models.Index(fields=["partner", "device_uid", "-id"], name="audit_partner_device"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
