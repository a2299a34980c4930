from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

# The Core Server accepts only .pak and .paks images (rop-core-server-facts.md).
firmware_name_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,250}\.paks?$",
    "A firmware file name is letters, digits, dots, dashes or underscores, ending in .pak or .paks.",
)


class FirmwareImage(models.Model):
    """An image uploaded once to the console, then to the partner's Core Server."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="firmware_images")
    file_name = models.CharField(max_length=255, validators=[firmware_name_validator])
    file = models.FileField(upload_to="firmware/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    version = models.CharField(max_length=31, blank=True, default="")
    target_models = models.JSONField(default=list, blank=True, help_text="Device models this image is for.")
    uploaded_to_rop_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "file_name"], name="firmware_name_unique_per_partner")
        ]

    def __str__(self) -> str:
        return self.file_name


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
