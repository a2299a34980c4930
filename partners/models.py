import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.encrypted_fields import EncryptedTextField


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(24)


class Partner(models.Model):
    """One partner: an integrator or property manager, with its own ROP Core Server."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    rop_base_url = models.URLField(
        "Core Server URL",
        help_text="Base URL of the partner's ROP Core Server, or of the gateway in front of it.",
    )
    # The Core Server authenticates nothing; a partner's gateway may. Blank = no credentials.
    gateway_auth_header = models.CharField(
        max_length=100,
        default="Authorization",
        help_text='Header the gateway expects. "Authorization" sends "Bearer <token>".',
    )
    gateway_token = EncryptedTextField(blank=True, default="")
    webhook_secret = EncryptedTextField(default=new_webhook_secret)
    request_budget = models.FloatField(
        default=20.0,
        validators=[MinValueValidator(0.1)],
        help_text="Requests per second the console may send to this Core Server, all workers together.",
    )
    # Health polling. Battery cameras pay for every request that wakes them, so they
    # are polled far less often than powered ones.
    powered_poll_seconds = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(30)], help_text="How often powered devices are polled."
    )
    battery_poll_seconds = models.PositiveIntegerField(
        default=6 * 3600, validators=[MinValueValidator(300)], help_text="How often battery devices are polled."
    )
    health_retention_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1)], help_text="How long health samples are kept for charts."
    )
    # When the online list was last read from the Core Server (devices.sync).
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    OPERATOR = "operator", "Operator"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="one_membership_per_partner")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.role})"
