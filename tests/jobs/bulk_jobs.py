"""Starting and reading bulk jobs (the engine's "bulk" kind) in these tests."""

from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Device
from jobs.models import Job, JobItem


def start_alarm_off(client, devices, slug="acme") -> Job:
    response = client.post(
        reverse("bulk_start", kwargs={"slug": slug}), {"action": "alarm_off", "device": [d.id for d in devices]}
    )
    assert response.status_code == 302, response.status_code
    return Job.objects.latest("id")


def results(job) -> dict[str, tuple[str, str]]:
    uids = dict(Device.objects.values_list("id", "uid"))
    rows = JobItem.objects.filter(job=job).values_list("target_id", "result", "message")
    return {uids[target]: (result, message) for target, result, message in rows}


def alarm_audits(job) -> dict[str, int]:
    """device.alarm entries per device UID: one per ROP call that came back."""
    counts: dict[str, int] = {}
    for uid in AuditEntry.objects.filter(action="device.alarm").values_list("target_label", flat=True):
        counts[uid] = counts.get(uid, 0) + 1
    return counts


def job_url(job, name="job_detail", slug="acme") -> str:
    return reverse(name, kwargs={"slug": slug, "job_id": job.id})
