import re

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from core.encrypted_fields import EncryptedTextField

UID_RE = re.compile(r"[A-Z0-9]{16}")
uid_validator = RegexValidator(r"^[A-Z0-9]{16}$", "A UID is 16 uppercase letters or digits.")


class Transport(models.TextChoices):
    ROP = "rop", "ROP Core Server"
    LAN = "lan", "LAN JSON API"


class Family(models.TextChoices):
    BATTERY = "battery", "Battery"
    POWERED = "powered", "Powered"


class ChargeStatus(models.TextChoices):
    NONE = "none", "Not charging"
    CHARGING = "charging", "Charging"
    COMPLETED = "completed", "Fully charged"


class Tag(models.Model):
    """A free label (a site, a building, a customer) to target a group of devices."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partner", "name"], name="tag_name_unique_per_partner")]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="devices")
    uid = models.CharField(max_length=16, validators=[uid_validator])
    transport = models.CharField(max_length=3, choices=Transport.choices, default=Transport.ROP)
    family = models.CharField(max_length=7, choices=Family.choices, default=Family.POWERED)
    model = models.CharField(max_length=31, blank=True, default="")
    firmware_version = models.CharField(max_length=31, blank=True, default="")
    display_name = models.CharField(max_length=31, blank=True, default="")

    online = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True, blank=True)
    battery_percent = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    charge_status = models.CharField(max_length=9, choices=ChargeStatus.choices, blank=True, default="")
    alarm_enabled = models.BooleanField(null=True, blank=True)
    pir_enabled = models.BooleanField(null=True, blank=True)
    pir_sensitivity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    pir_reduce_mistakes = models.BooleanField(null=True, blank=True)
    # What the model can do, as learnt from ROP answers or LAN abilities:
    # e.g. ["battery", "zoom", "focus", "ptz", "wifi", "sd_card"].
    capabilities = models.JSONField(default=list, blank=True)
    channel_count = models.PositiveSmallIntegerField(default=1)

    # LAN transport only: where the camera or NVR answers /cgi-bin/api.cgi.
    lan_host = models.CharField(max_length=255, blank=True, default="")
    lan_port = models.PositiveIntegerField(null=True, blank=True)
    lan_use_https = models.BooleanField(default=False)
    lan_username = models.CharField(max_length=64, blank=True, default="")
    lan_password = EncryptedTextField(blank=True, default="")
    # HTTPS only: the SHA-256 of the certificate trusted on first use (64 hex digits);
    # a camera presenting another one is refused until an operator trusts it.
    lan_cert_sha256 = models.CharField(max_length=64, blank=True, default="")
    lan_status_interval_ms = models.PositiveIntegerField(default=5000, validators=[MinValueValidator(2000)])
    lan_timeout_ms = models.PositiveIntegerField(default=8000, validators=[MinValueValidator(500)])
    # The LAN poller process that polls this device and until when (see devices/lan_leases):
    # several pollers share the LAN devices, never polling one twice.
    lan_poller = models.CharField(max_length=64, blank=True, default="")
    lan_lease_until = models.DateTimeField(null=True, blank=True)

    # Tag is defined above Device so that this names the class: django-stubs leaves a
    # many-to-many given by string untyped on both sides (typeddjango/django-stubs#1802).
    tags = models.ManyToManyField(Tag, blank=True, related_name="devices")
    # The poll sweeper picks devices whose next_poll_at is due.
    next_poll_at = models.DateTimeField(null=True, blank=True)
    poll_failures = models.PositiveSmallIntegerField(default=0)
    last_poll_error = models.CharField(max_length=64, blank=True, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "uid"]
        constraints = [models.UniqueConstraint(fields=["partner", "uid"], name="device_uid_unique_per_partner")]
        # One index per filter the device list offers, each led by partner (every
        # query is scoped to one), ending in id so keyset pagination can use it.
        indexes = [
            models.Index(fields=["partner", "display_name", "id"], name="device_partner_name"),
            models.Index(fields=["partner", "online", "id"], name="device_partner_online"),
            models.Index(fields=["partner", "family", "id"], name="device_partner_family"),
            models.Index(fields=["partner", "model", "firmware_version", "id"], name="device_partner_model_fw"),
            # The list's firmware sort (and its firmware-only filter) walks this one.
            models.Index(fields=["partner", "firmware_version", "id"], name="device_partner_fw"),
            models.Index(fields=["partner", "battery_percent", "id"], name="device_partner_battery"),
            # A model's devices by battery (the list's model filter with the battery sort):
            # without it, finding a powered model's battery readings read all its rows.
            models.Index(fields=["partner", "model", "battery_percent", "id"], name="device_partner_model_battery"),
            models.Index(fields=["partner", "alarm_enabled", "id"], name="device_partner_alarm"),
            models.Index(fields=["partner", "last_seen", "id"], name="device_partner_last_seen"),
            models.Index(fields=["next_poll_at"], name="device_poll_due"),
            models.Index(fields=["transport", "lan_lease_until"], name="device_lan_lease"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.uid

    @property
    def has_page(self) -> bool:
        """Whether the uid fits a device URL: rows stored before sync skipped odd uids
        (a "/" in one) are listed without a link instead of breaking the list."""
        return UID_RE.fullmatch(self.uid) is not None

    @property
    def audit_label(self) -> str:
        """How the audit log names the device (audit.services.Target): its uid, which
        outlives the row and is what the log's device filter takes."""
        return self.uid


class DeviceName(models.Model):
    """A narrow copy of each device's name, for the device list's name search.

    A search for a common word ("harbour": an eighth of a fleet) reads every match to
    sort them by name. Read from devices_device, that is most of the fleet's wide rows,
    which every poll rewrites (a dead copy each time, until a vacuum); here it is rows
    of four columns that change only on a rename: half the pages, no upper() per row
    (name_upper is stored), and its trigram index takes no churn from polls
    (docs/device-list.md, "The name table").

    Kept by triggers on devices_device (migration 0012), so every writer (sync's
    bulk_create, a rename's save(), update(), raw SQL) keeps it right without knowing
    of it; a device's row goes with it (ON DELETE CASCADE). PostgreSQL only: on SQLite
    the table stays empty and the search reads devices_device."""

    # The constraint is written by migration 0012 (ON DELETE CASCADE: the database
    # removes the row, Django's collector never looks here).
    device = models.OneToOneField(
        Device, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    partner_id = models.BigIntegerField()
    display_name = models.CharField(max_length=31)
    name_upper = models.TextField()

    def __str__(self) -> str:
        return self.display_name


class Channel(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="channels")
    index = models.PositiveSmallIntegerField(validators=[MaxValueValidator(31)])
    name = models.CharField(max_length=64, blank=True, default="")
    online = models.BooleanField(default=True)
    # The AI types this channel reports (rop.lan.models.AI_TYPES); empty = all of them.
    ai_types = models.JSONField(default=list, blank=True)
    # The last state the LAN poller saw, so that only changes become alarm events.
    motion = models.BooleanField(default=False)
    ai_detected = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["device", "index"]
        constraints = [models.UniqueConstraint(fields=["device", "index"], name="channel_index_unique")]

    def __str__(self) -> str:
        return f"{self.device} ch{self.index}"


class DeviceHealthSample(models.Model):
    """One poll's reading, kept for charts until the retention setting prunes it."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="health_samples")
    taken_at = models.DateTimeField()
    online = models.BooleanField()
    battery_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    charge_status = models.CharField(max_length=9, blank=True, default="")
    alarm_enabled = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [
            models.Index(fields=["device", "taken_at"], name="health_device_time"),
            models.Index(fields=["taken_at"], name="health_time"),  # retention pruning
        ]

    def __str__(self) -> str:
        return f"{self.device_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class BulkAction(models.TextChoices):
    ALARM_ON = "alarm_on", "Enable alarm notifications"
    ALARM_OFF = "alarm_off", "Disable alarm notifications"
    REFRESH = "refresh", "Refresh now"
    SET_PIR = "set_pir", "Set PIR settings"
    ADD_TAG = "add_tag", "Add tag"
    REMOVE_TAG = "remove_tag", "Remove tag"
    REBOOT = "reboot", "Reboot"


class ItemResult(models.TextChoices):
    """What one device's change answered: a bulk job item's result, a page's message level."""

    OK = "ok", "OK"
    OFFLINE = "offline", "Offline"
    NOT_SUPPORTED = "not_supported", "Not supported"
    ERROR = "error", "Error"


class LanPollerHeartbeat(models.Model):
    """A running LAN poller, seen until `seen_until` (renewed with its leases): how many
    pollers share the LAN devices, so each keeps about its share (devices/lan_leases.py).
    A poller that owns nothing yet is counted too, which is how a new one gets devices."""

    poller = models.CharField(max_length=64, primary_key=True)
    seen_until = models.DateTimeField()

    def __str__(self) -> str:
        return self.poller
