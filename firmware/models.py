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


class RolloutResult(models.TextChoices):
    """What a rollout did to one device: its job item's result (jobs.JobItem.result)."""

    SUCCEEDED = "succeeded", "Upgraded"
    SAME_VERSION = "same_version", "Already on this version"
    FAILED = "failed", "Failed"
    DEFERRED = "deferred", "Deferred (battery)"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


class Rollout(models.Model):
    """A firmware rollout: the settings of one "rollout" job of the engine (jobs.Job).
    Its items are the target devices; each item's data holds its wave and its step
    (firmware/rollout/upgrade.py). The job's state is the rollout's state."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="rollouts")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="rollout")
    image = models.ForeignKey(FirmwareImage, on_delete=models.PROTECT, related_name="rollouts")
    name = models.CharField(max_length=100)
    factory_reset = models.BooleanField(default=False)
    # Devices per wave, the canary group first; only the current wave's items run.
    waves = models.JSONField(default=list, blank=True)
    current_wave = models.PositiveIntegerField(default=0)
    # The next wave starts by itself once this share of the current one is upgraded;
    # None: an operator presses "next wave".
    auto_advance_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Battery devices under this charge are deferred and retried, never failed.
    min_battery_percent = models.PositiveSmallIntegerField(default=20, validators=[MaxValueValidator(100)])
    # Failure rules: pause once `min_finished` devices finished and failures reach
    # `max_failure_percent` of them; a bad image (file_check_failed) pauses after
    # `file_check_limit` devices whatever the share.
    min_finished = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)])
    max_failure_percent = models.PositiveSmallIntegerField(default=20, validators=[MaxValueValidator(100)])
    file_check_limit = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    # Offline and asleep devices are retried until then, then skipped (deferred ones stay deferred).
    deadline = models.DateTimeField(null=True, blank=True)
    # No device starts before starts_at, nor outside the daily window (wall-clock times
    # in the partner's time zone; an end before the start spans midnight). Devices
    # already upgrading when the window closes finish (rollout/window.py).
    starts_at = models.DateTimeField(null=True, blank=True)
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=255, blank=True, default="")
    rolled_back_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="roll_backs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    # Set by rollout.selectors.rollouts_page for the list, not stored.
    finished: int

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["partner", "-id"], name="rollout_partner_newest")]

    def __str__(self) -> str:
        return self.name

    @property
    def wave_count(self) -> int:
        return len(self.waves)


class UpgradeTiming(models.Model):
    """How long upgrades of one model take on one partner's Core Server, for images of
    one size class, as the last rollout measured them (firmware/rollout/learning.py):
    the next rollout of that model starts from it instead of a guess."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="upgrade_timings")
    model = models.CharField(max_length=64)
    # firmware.rollout.timing.size_class: 0 for images under 16 MiB, then one per doubling.
    size_class = models.PositiveSmallIntegerField(default=0)
    low_seconds = models.FloatField()
    typical_seconds = models.FloatField()
    high_seconds = models.FloatField()
    # Upgrades timed by the reads (scouts and probes) behind these figures.
    samples = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "model", "size_class"], name="upgrade_timing_unique")]

    def __str__(self) -> str:
        return f"{self.model} ({self.size_class}): {self.typical_seconds:.0f} s"
