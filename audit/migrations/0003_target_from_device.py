# Entries about a device name it as a generic target: ("devices.device", its id, its uid).
# Entries whose device row was deleted keep the uid (the foreign key was already NULL).

from django.db import migrations
from django.db.models import F, Q

DEVICE = "devices.device"


def device_to_target(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditEntry.objects.filter(Q(device__isnull=False) | ~Q(device_uid="")).update(
        target_type=DEVICE, target_id=F("device_id"), target_label=F("device_uid")
    )


def target_to_device(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Device = apps.get_model("devices", "Device")
    about_devices = AuditEntry.objects.filter(target_type=DEVICE)
    about_devices.update(device_uid=F("target_label"))
    # Only ids of rows that still exist may go back into the foreign key.
    about_devices.filter(target_id__in=Device.objects.values("id")).update(device_id=F("target_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_generic_target"),
        ("devices", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(device_to_target, target_to_device),
    ]
