"""A job over many targets (devices) and its items: the engine's whole state.

jobs sits below devices in the layering, so an item names its target by id
(`target_id`, a device id) rather than by foreign key, as the audit log does;
each feature's handler turns ids back into its own rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", "Cancelled"
    DONE = "done", "Done"


# States in which workers may still take items.
RUNNABLE_JOB_STATES = (JobState.QUEUED, JobState.RUNNING)
# States in which workers take a job's items: a cancelled job's items still open are
# those its kind keeps following to their end (services.cancel's `keep`).
TAKING_JOB_STATES = (*RUNNABLE_JOB_STATES, JobState.CANCELLED)
# States that end when no item is open (a paused job whose last items finished is done too).
UNFINISHED_JOB_STATES = (JobState.QUEUED, JobState.RUNNING, JobState.PAUSED)


class Job(models.Model):
    """Work of one kind (a bulk action, a rollout...) over many targets of a partner."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=32)
    # What the job does within its kind (a bulk action: alarm_off, add_tag...).
    action = models.CharField(max_length=32, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    # The most items running at once (None: as many as workers take).
    max_in_flight = models.PositiveIntegerField(null=True, blank=True)
    # Failed tries of one item (handler Retry steps, or a worker lost mid-item) before it is given up.
    max_attempts = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Not columns: what jobs.selectors works out for the pages that list jobs.
    title: str
    finished: int
    percent: int

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["partner", "-id"], name="job_partner_newest"),
            models.Index(fields=["state"], name="job_state"),  # the sweeper's unfinished jobs
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.action or '-'} × {self.total}"


class ItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    # Claimed by a worker until lease_until; nobody else touches it meanwhile.
    RUNNING = "running", "Running"
    # Parked until next_at (a retry later, a rollout re-checking its session).
    WAITING = "waiting", "Waiting"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ITEM_STATES = (ItemState.PENDING, ItemState.RUNNING, ItemState.WAITING)
# Steps (item.data["step"]) during which an item counts against its job's in-flight
# cap between two runs: a rollout's device asking for, or in, an upgrade session
# (firmware/rollout/upgrade.py). Counted often, under the job row's lock: indexed.
IN_FLIGHT_STEPS = ("creating", "upgrading", "adopted")
# The result of an item cancelled before it ran, in every kind.
CANCELLED_RESULT = "cancelled"


class JobItem(models.Model):
    """One target of one job. `result` is the kind's outcome vocabulary (bulk: ok,
    offline, not_supported, error), set when the item is done or cancelled.

    `next_at` means, for a waiting item, when it is due again; for a pending one, until
    when the chunk task sent for it may still arrive (after that the sweeper sends
    another: that task was lost). `lease_until` is how long a running item's worker
    may hold it before the sweeper calls it lost."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    target_id = models.BigIntegerField(db_index=True)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    result = models.CharField(max_length=32, blank=True, default="")
    message = models.CharField(max_length=255, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "target_id"], name="one_item_per_target")]
        indexes = [
            models.Index(fields=["job", "state"], name="jobitem_job_state"),
            models.Index(fields=["job", "result"], name="jobitem_job_result"),
            # The sweeper: due waiting / undelivered pending items, and expired leases.
            models.Index(fields=["state", "next_at"], name="jobitem_due"),
            models.Index(fields=["state", "lease_until"], name="jobitem_lease"),
            models.Index(fields=["job"], condition=Q(data__step__in=IN_FLIGHT_STEPS), name="jobitem_job_in_flight"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.target_id} {self.state} {self.result}"
