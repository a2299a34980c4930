"""API tokens: per partner, read-only, created and revoked by the partner's admins.

A token speaks for the person who made it (`created_by`): it stops working when that person
leaves the partner or is deactivated (api/tokens.py checks on every call; api/receivers.py
revokes it, audited, when it happens). Tokens with no maker on record (made before makers
were required, or by a script) keep working until revoked or expired: the page shows their
maker as "unknown" so an admin can revoke them."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RevokedReason(models.TextChoices):
    BY_ADMIN = "by_admin", "revoked"
    MAKER_LEFT = "maker_left", "revoked: its maker left the partner"
    MAKER_DEACTIVATED = "maker_deactivated", "revoked: its maker was deactivated"
    MAKER_DELETED = "maker_deleted", "revoked: its maker was deleted"


class ApiToken(models.Model):
    """Only the token's SHA-256 is kept: the token itself is shown once, when created.
    `prefix` (random, shown in lists) finds the row; the hash then decides."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokedReason.choices, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "-id"], name="api_token_partner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_label(self) -> str:
        return f"token {self.prefix}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
