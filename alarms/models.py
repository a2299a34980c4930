from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# The statuses a Core Server sends (rop.alarms.ALARM_STATUSES), in words.
STATUS_LABELS = {
    "MD": "Motion",
    "videoLoss": "Video loss",
    "blind": "Camera blinded",
    "IOAlarm": "I/O alarm",
    "none": "Alarm",
}
# "The recordings around an alarm": this long before its first alarm and after its last.
RECORDING_LEAD = timedelta(minutes=1)
RECORDING_TAIL = timedelta(minutes=2)


class AlarmSource(models.TextChoices):
    WEBHOOK = "webhook", "ROP webhook"
    LAN = "lan", "LAN polling"


class AlarmEvent(models.Model):
    """One alarm, or a burst of identical ones folded together (`count`, first at
    `received_at`, last at `last_seen_at`): see alarms/ingest.py."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="alarm_events")
    # Kept by uid too: an alarm may arrive for a device not synced yet.
    device = models.ForeignKey("devices.Device", null=True, blank=True, on_delete=models.SET_NULL)
    device_uid = models.CharField(max_length=16)
    channel = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16)
    ai_types = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=AlarmSource.choices, default=AlarmSource.WEBHOOK)
    received_at = models.DateTimeField(default=timezone.now)
    # Duplicates arriving within ALARM_DEDUPE_SECONDS of received_at add to count and move last_seen_at.
    count = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # received_at in whole ALARM_DEDUPE_SECONDS since the epoch: with the unique constraint
    # below, two identical alarms arriving at once fold instead of both inserting (ingest.py).
    dedupe_slot = models.BigIntegerField(null=True, blank=True, editable=False)
    # LAN events only (the poller sees motion stop; a Core Server never says): when the
    # channel went quiet. NULL on a LAN event = still going on; always NULL for webhooks.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["partner", "-id"], name="alarm_partner_recent"),
            models.Index(fields=["device", "-id"], name="alarm_device_recent"),
            # The retention prune of one partner.
            models.Index(fields=["partner", "received_at"], name="alarm_partner_received"),
        ]
        constraints = [
            # One event per alarm and slot; its index also serves the webhook's duplicate
            # lookup and the feed's filter on one uid. NULL slots (before folding) never clash.
            models.UniqueConstraint(
                fields=["partner", "device_uid", "channel", "status", "ai_types", "dedupe_slot"],
                name="alarm_one_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_uid} ch{self.channel} {self.status}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def ongoing(self) -> bool:
        return self.source == AlarmSource.LAN and self.ended_at is None

    @property
    def recording_start(self) -> datetime:
        return self.received_at - RECORDING_LEAD

    @property
    def recording_end(self) -> datetime:
        return self.last_seen_at + RECORDING_TAIL


# Generous but bounded: the list is read on every webhook request.
MAX_ALLOWED_NETWORKS = 50


class AlarmSettings(models.Model):
    """A partner's alarm settings. Kept here, not on Partner: partners sits below the
    features and must not know about alarms; the row is optional (no row = defaults)
    and the webhook reads it in the same query as the partner (select_related)."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, primary_key=True, related_name="alarm_settings"
    )
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="How long alarms are kept. Blank: the console's default.",
    )
    # Normalised CIDR strings ("203.0.113.0/24", "2001:db8::/32"); empty = any address.
    allowed_networks = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alarm settings"

    def __str__(self) -> str:
        return f"alarm settings of partner {self.partner_id}"
