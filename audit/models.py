from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def about(self, obj: models.Model) -> AuditEntryQuerySet:
        """The entries whose target is this row."""
        return self.filter(target_type=obj._meta.label_lower, target_id=obj.pk)


class AuditEntry(models.Model):
    """Every change made through the console, or by a task it started."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="audit_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=64)
    # What the change was made to, if anything: any model, named without a foreign key so
    # that the log depends on no feature app. The label (a device's uid) outlives the row.
    target_type = models.CharField(max_length=64, blank=True, default="", help_text='e.g. "devices.device"')
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=100, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    result = models.CharField(max_length=32, default="ok")
    message = models.TextField(blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["partner", "-id"], name="audit_partner_recent"),
            models.Index(fields=["partner", "action", "-id"], name="audit_partner_action"),
            models.Index(fields=["partner", "target_label", "-id"], name="audit_partner_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.result}"
