"""The device list's name table (devices.models.DeviceName), kept by triggers.

On PostgreSQL: the foreign key with ON DELETE CASCADE, the trigram index on the stored
upper-case name (the expression the search's LIKE tests, with its short pending list as
in 0011), the rows of the devices already there, and two triggers on devices_device:
  - after each INSERT statement, one INSERT of the new rows (a transition table: a
    sync's bulk_create of thousands of devices costs one statement, not one per row);
  - after an UPDATE that changes a device's name or partner, that device's row. An
    UPDATE that sets neither column (polls, health) does not fire it at all.
SQLite: the table only; nothing reads it there (devices.selectors)."""

from django.db import migrations, models

FORWARD = [
    "ALTER TABLE devices_devicename ADD CONSTRAINT devices_devicename_device_fk"
    " FOREIGN KEY (device_id) REFERENCES devices_device (id) ON DELETE CASCADE",
    "INSERT INTO devices_devicename (device_id, partner_id, display_name, name_upper)"
    " SELECT id, partner_id, display_name, UPPER(display_name) FROM devices_device",
    "CREATE INDEX device_name_table_trgm ON devices_devicename USING gin (name_upper gin_trgm_ops)"
    " WITH (gin_pending_list_limit = 64)",
    """CREATE FUNCTION devices_devicename_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO devices_devicename (device_id, partner_id, display_name, name_upper)
        SELECT id, partner_id, display_name, UPPER(display_name) FROM new_devices;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER devices_devicename_inserted AFTER INSERT ON devices_device"
    " REFERENCING NEW TABLE AS new_devices FOR EACH STATEMENT EXECUTE FUNCTION devices_devicename_inserted()",
    """CREATE FUNCTION devices_devicename_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE devices_devicename
        SET partner_id = NEW.partner_id, display_name = NEW.display_name, name_upper = UPPER(NEW.display_name)
        WHERE device_id = NEW.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER devices_devicename_renamed AFTER UPDATE OF display_name, partner_id ON devices_device"
    " FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name"
    " OR OLD.partner_id IS DISTINCT FROM NEW.partner_id)"
    " EXECUTE FUNCTION devices_devicename_renamed()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS devices_devicename_renamed ON devices_device",
    "DROP FUNCTION IF EXISTS devices_devicename_renamed()",
    "DROP TRIGGER IF EXISTS devices_devicename_inserted ON devices_device",
    "DROP FUNCTION IF EXISTS devices_devicename_inserted()",
]


def keep_names(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def stop_keeping_names(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0011_device_trigram_pending_list_limit"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeviceName",
            fields=[
                (
                    "device",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="devices.device",
                    ),
                ),
                ("partner_id", models.BigIntegerField()),
                ("display_name", models.CharField(max_length=31)),
                ("name_upper", models.TextField()),
            ],
        ),
        migrations.RunPython(keep_names, stop_keeping_names),
    ]
