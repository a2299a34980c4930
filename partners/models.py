import secrets
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from core.encrypted_fields import EncryptedTextField, is_unreadable
from rop.addresses import validate_base_url
from rop.errors import InvalidParameter
from rop.validation import validate_header_name


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(24)


def validate_core_server_url(value: str) -> None:
    """The shape rop/ accepts (scheme, no credentials, query or fragment), on every save
    path, the admin included: a stored URL the client refuses would fail every page."""
    try:
        validate_base_url(value)
    except InvalidParameter as exc:
        raise ValidationError(exc.message) from None


def validate_gateway_header(value: str) -> None:
    try:
        validate_header_name(value)
    except InvalidParameter as exc:
        raise ValidationError(exc.message) from None


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"“{value}” is not a time zone (e.g. Europe/Berlin, America/New_York, UTC).") from None


class Partner(models.Model):
    """One partner: an integrator or property manager, with its own ROP Core Server."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    rop_base_url = models.URLField(
        "Core Server URL",
        help_text="Base URL of the partner's ROP Core Server, or of the gateway in front of it.",
        validators=[validate_core_server_url],
    )
    # The Core Server authenticates nothing; a partner's gateway may. Blank = no credentials.
    gateway_auth_header = models.CharField(
        max_length=100,
        default="Authorization",
        help_text='Header the gateway expects. "Authorization" sends "Bearer <token>".',
        validators=[validate_gateway_header],
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
    # Wall-clock times the partner gives (a rollout's maintenance window) are in this zone.
    time_zone = models.CharField(
        max_length=63,
        default="UTC",
        validators=[validate_time_zone],
        help_text="An IANA time zone, e.g. Europe/Berlin: maintenance windows are in this zone.",
    )
    # Admins of this partner must log in with two-factor authentication (partners/two_factor.py):
    # one without it is sent to enrol before any of this partner's pages.
    require_two_factor_for_admins = models.BooleanField(
        "Require two-factor authentication for admins",
        default=False,
        help_text="Admins without two-factor authentication are asked to set it up before they can open this "
        "partner's pages. Their API tokens keep working.",
    )
    # When the online list was last read from the Core Server (devices.sync).
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def gateway_token_unreadable(self) -> bool:
        """The stored token cannot be decrypted (FIELD_ENCRYPTION_KEY lost the key it was
        written with): nothing is sent to the Core Server until an admin re-enters it."""
        return is_unreadable(self.gateway_token)

    @property
    def webhook_secret_unreadable(self) -> bool:
        """Likewise for the webhook secret: no alarm is accepted until a new one is generated."""
        return is_unreadable(self.webhook_secret)


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


if TYPE_CHECKING:
    # django-otp has no type hints: the abstract Device as the type checker should see it.
    class Device(models.Model):
        user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        name = models.CharField(max_length=64)
        confirmed = models.BooleanField(default=True)

        class Meta:
            abstract = True

        @property
        def persistent_id(self) -> str: ...
else:
    from django_otp.models import Device


# Its manager is django-otp's DeviceManager, which the type checker cannot see.
class TotpDevice(Device):  # type: ignore[django-manager-missing]
    """A user's authenticator app (TOTP, RFC 6238): django-otp's Device (so django_otp.login
    and its middleware's is_verified() work) with the secret in an EncryptedTextField, which
    django-otp's own TOTPDevice (a plain hex CharField) cannot have. One per user; it is
    unconfirmed until the user has typed a code from it (partners/two_factor.py)."""

    # The shared secret, base32 (what authenticator apps take), encrypted at rest.
    key = EncryptedTextField()
    # The time step of the last accepted code: a code is accepted once (no replay).
    last_t = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="one_totp_device_per_user")]


class RecoveryCode(models.Model):
    """A one-time recovery code, for when the authenticator app is lost. Only its SHA-256 is
    kept (the code is random, 50 bits); it is deleted when used."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_sha256"], name="unique_recovery_code")]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"


class Invitation(models.Model):
    """An invitation to join a partner with a role, sent to an email address
    (partners/invitations.py). The accept link's token is kept as SHA-256 only."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "-created_at"], name="invitation_partner_recent")]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner} ({self.role})"
