from django.db import models

STREAM_CHOICES = [("mainStream", "Main stream"), ("subStream", "Sub stream")]


class RecordingSearch(models.Model):
    """A fleet-wide search for recordings of one day and time range: its settings.
    The devices asked are the items of its `job` (the job engine's "recording_search"
    kind), whose result and message say each device's problem; what was found is
    its hits."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="recording_searches")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="recording_search")
    # Camera-local day and times (ROP gives no zone; the console takes them as UTC).
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    stream = models.CharField(max_length=10, choices=STREAM_CHOICES, default="mainStream")
    # Battery cameras are asked (and so woken) only when the search says so.
    wake_battery = models.BooleanField(default=False)
    # How the devices were chosen, for the page ("tag: Warehouse, 12 devices").
    scope = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["partner", "-id"], name="recsearch_partner_newest")]

    def __str__(self) -> str:
        return f"{self.day} {self.start}-{self.end}"


class SearchHit(models.Model):
    """One recording a search found. Written by the worker that asked the device, read
    by the page in time order while the search goes on."""

    search = models.ForeignKey(RecordingSearch, on_delete=models.CASCADE, related_name="hits")
    device = models.ForeignKey("devices.Device", null=True, blank=True, on_delete=models.SET_NULL)
    # Kept as found: the page lists the hit after the device row is gone.
    device_uid = models.CharField(max_length=16)
    device_name = models.CharField(max_length=31, blank=True, default="")
    channel = models.PositiveSmallIntegerField(default=0)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    file_name = models.CharField(max_length=255)

    class Meta:
        ordering = ["start_time", "id"]
        indexes = [models.Index(fields=["search", "start_time", "id"], name="searchhit_search_time")]
        constraints = [
            # A device asked twice (a redelivered chunk) adds nothing twice.
            models.UniqueConstraint(fields=["search", "device_uid", "channel", "file_name"], name="searchhit_once")
        ]

    def __str__(self) -> str:
        return f"{self.device_uid} {self.start_time}"
