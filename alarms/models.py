from django.db import models


class AlarmSource(models.TextChoices):
    WEBHOOK = "webhook", "ROP webhook"
    LAN = "lan", "LAN polling"


class AlarmEvent(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="alarm_events")
    # Kept by uid too: an alarm may arrive for a device not synced yet.
    device = models.ForeignKey("devices.Device", null=True, blank=True, on_delete=models.SET_NULL)
    device_uid = models.CharField(max_length=16)
    channel = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16)
    ai_types = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=AlarmSource.choices, default=AlarmSource.WEBHOOK)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["partner", "-id"], name="alarm_partner_recent"),
            models.Index(fields=["device", "-id"], name="alarm_device_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.device_uid} ch{self.channel} {self.status}"
