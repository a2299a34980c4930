from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .names import check_name


def validate_firmware_name(value: str) -> None:
    """The Core Server's rule for firmware names (.pak/.paks), see firmware/names.py."""
    check_name(value)


class PushState(models.TextChoices):
    NOT_PUSHED = "", "Not on the Core Server"
    QUEUED = "queued", "Push queued"
    PUSHING = "pushing", "Pushing"
    PUSHED = "pushed", "On the Core Server"
    FAILED = "failed", "Push failed"


class FirmwareImage(models.Model):
    """An image uploaded once to the console, then to the partner's Core Server."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="firmware_images")
    file_name = models.CharField(max_length=255, validators=[validate_firmware_name])
    file = models.FileField(upload_to="firmware/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    version = models.CharField(
        max_length=31,
        blank=True,
        default="",
        help_text="As devices report it, e.g. RLC_810A_230515_2356; or the yymmdd_build part alone.",
    )
    target_models = models.JSONField(default=list, blank=True, help_text="Device models this image is for.")
    uploaded_to_rop_at = models.DateTimeField(null=True, blank=True)
    # Pushing to the partner's Core Server (firmware/pushing.py): claimed with a
    # conditional UPDATE on push_state; push_started_at tells a stale claim (a
    # worker that died mid-push) from a live one.
    push_state = models.CharField(max_length=8, choices=PushState.choices, blank=True, default=PushState.NOT_PUSHED)
    push_started_at = models.DateTimeField(null=True, blank=True)
    push_message = models.CharField(max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "file_name"], name="firmware_name_unique_per_partner"),
            # The same bytes twice in one library: refused by the upload, and here
            # too for two uploads finishing at the same moment.
            models.UniqueConstraint(
                fields=["partner", "sha256"], condition=~Q(sha256=""), name="firmware_sha256_unique_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def on_core_server(self) -> bool:
        return self.uploaded_to_rop_at is not None


class RolloutState(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    HALTED = "halted", "Halted (failure threshold)"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Rollout(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="rollouts")
    image = models.ForeignKey(FirmwareImage, on_delete=models.PROTECT, related_name="rollouts")
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=RolloutState.choices, default=RolloutState.DRAFT)
    wave_size = models.PositiveIntegerField(default=50, validators=[MinValueValidator(1)])
    failure_threshold_percent = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(100)], help_text="Halt when a wave fails more than this."
    )
    factory_reset = models.BooleanField(default=False)
    current_wave = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"], name="rollout_state")]

    def __str__(self) -> str:
        return self.name


class TargetState(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Claimed by a worker"
    UPGRADING = "upgrading", "Upgrading"
    SUCCEEDED = "succeeded", "Upgraded"
    SAME_VERSION = "same_version", "Already on this version"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class RolloutTarget(models.Model):
    """One device in one rollout. Workers claim a target with a conditional
    UPDATE on its state, so two workers never start the same upgrade."""

    rollout = models.ForeignKey(Rollout, on_delete=models.CASCADE, related_name="targets")
    device = models.ForeignKey("devices.Device", on_delete=models.CASCADE, related_name="rollout_targets")
    wave = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=TargetState.choices, default=TargetState.PENDING)
    session_id = models.CharField(max_length=255, blank=True, default="")
    outcome = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rollout", "device"], name="one_target_per_device")]
        indexes = [
            models.Index(fields=["rollout", "wave", "state"], name="target_rollout_wave_state"),
            models.Index(fields=["state", "next_check_at"], name="target_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rollout_id}/{self.device_id} {self.state}"
