"""Cancel, pause and resume: operators only, POST only, audited, on any kind of job."""

from audit.models import AuditEntry
from jobs import dispatch, runner, sweeper
from jobs.models import ItemState, JobItem, JobState
from jobs.registry import Done, handler_for
from tests.devices.fleet_rows import rows_from_sim

from .bulk_jobs import alarm_audits, job_url, results, start_alarm_off
from .conftest import sweep_later


def test_it_cancels_what_has_not_started_and_lets_a_running_device_finish(sim, acme_on_sim, client_of, olga):
    fleet = rows_from_sim(sim, acme_on_sim)
    operator = client_of(olga)
    job = start_alarm_off(operator, fleet[:3])
    first = JobItem.objects.filter(job=job).order_by("id")[0]
    assert runner.claim(job, first) is True  # a worker is changing this device right now

    response = operator.post(job_url(job, "job_cancel"))
    assert response.status_code == 302 and response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.finished_at is not None
    cancelled = JobItem.objects.filter(job=job, state=ItemState.CANCELLED)
    assert cancelled.count() == 2
    assert {(i.result, i.message) for i in cancelled} == {("cancelled", "Cancelled by olga before it ran.")}
    entry = AuditEntry.objects.get(action="bulk.cancelled")
    assert entry.user == olga and entry.params == {"job": job.id, "action": "alarm_off", "cancelled_items": 2}
    page = operator.get(job_url(job)).content.decode()
    assert "Cancelled" in page and 'hx-trigger="every 1s"' in page  # one device still running

    # The running device's call finishes and is recorded; nothing else runs.
    assert runner.settle(job, handler_for("bulk"), first, Done("ok", "Alarm notifications disabled."))
    for first_id, last_id in dispatch.job_chunk_ranges(job.id):
        runner.run_chunk(job.id, first_id, last_id)
    sweeper.sweep()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and alarm_audits(job) == {}
    assert sorted(r for r, _ in results(job).values()) == ["cancelled", "cancelled", "ok"]
    page = operator.get(job_url(job)).content.decode()
    assert 'hx-trigger="every 1s"' not in page and "Cancel job" not in page

    again = operator.post(job_url(job, "job_cancel"), follow=True)
    assert "This job has already ended." in again.content.decode()
    assert AuditEntry.objects.filter(action="bulk.cancelled").count() == 1


def test_it_pauses_a_job_and_resumes_it_where_it_stopped(
    sim, acme_on_sim, client_of, olga, eager, django_capture_on_commit_callbacks
):
    fleet = rows_from_sim(sim, acme_on_sim)
    operator = client_of(olga)
    job = start_alarm_off(operator, fleet[:4])
    assert operator.post(job_url(job, "job_pause")).status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.PAUSED
    # Chunks that arrive now take nothing, and the sweeper sends nothing for a paused job.
    for first_id, last_id in dispatch.job_chunk_ranges(job.id):
        runner.run_chunk(job.id, first_id, last_id)
    assert sweep_later().dispatched == 0
    assert set(JobItem.objects.filter(job=job).values_list("state", flat=True)) == {ItemState.PENDING}
    assert alarm_audits(job) == {}
    page = operator.get(job_url(job)).content.decode()
    assert "Paused" in page and "Resume" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post(job_url(job, "job_resume")).status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert alarm_audits(job) == {d.uid: 1 for d in fleet[:4]}
    controls = AuditEntry.objects.filter(action__in=["bulk.paused", "bulk.resumed"]).order_by("id")
    assert list(controls.values_list("action", "user__username")) == [("bulk.paused", "olga"), ("bulk.resumed", "olga")]
    refused = operator.post(job_url(job, "job_resume"), follow=True).content.decode()
    assert "Only a paused job can be resumed." in refused


def test_it_lets_only_the_partners_operators_control_a_job(sim, acme_on_sim, client_of, olga, victor, bob):
    fleet = rows_from_sim(sim, acme_on_sim)
    job = start_alarm_off(client_of(olga), fleet[:1])
    viewer = client_of(victor)
    for name in ("job_cancel", "job_pause", "job_resume"):
        assert viewer.post(job_url(job, name)).status_code == 403
        assert viewer.get(job_url(job, name)).status_code == 405
    assert "Cancel job" not in viewer.get(job_url(job)).content.decode()
    other = client_of(bob)
    assert other.post(job_url(job, "job_cancel")).status_code == 404
    assert other.post(job_url(job, "job_cancel", slug="bolt")).status_code == 404
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert not AuditEntry.objects.filter(action__in=["bulk.cancelled", "bulk.paused"]).exists()
