"""Bulk actions from the device list, against ropsim over real HTTP.

Most tests run a job's chunks in the test (the same code a worker runs, so the
results are checked synchronously); one runs a job on a real Celery worker."""

import re
import time

import pytest
import requests
from django.urls import reverse

from audit.models import AuditEntry
from devices import bulk
from devices.models import Device, ItemResult, Tag
from jobs import dispatch, runner
from jobs.models import ItemState, JobState
from jobs.models import Job as BulkJob
from jobs.models import JobItem as BulkJobItem

from .fleet_rows import rows_from_sim


def start_url(slug="acme"):
    return reverse("bulk_start", kwargs={"slug": slug})


def job_url(job, slug="acme"):
    return reverse("job_detail", kwargs={"slug": slug, "job_id": job.id})


def go_offline(sim, device):
    requests.post(f"{sim.control_url}/devices/{device.uid}/offline", timeout=5).raise_for_status()


def answer_once(sim, device, symbol, route):
    """The simulator's next PUT to this device's route answers `symbol` (POST /_sim/inject)."""
    requests.post(
        f"{sim.control_url}/inject",
        timeout=5,
        json={
            "symbol": symbol,
            "method": "PUT",
            "path": f"/v1.0/devices/{device.uid}/{route}",
            "count": 1,
        },
    ).raise_for_status()


def run_job(job):
    """What the workers do, one chunk after another."""
    for first, last in dispatch.job_chunk_ranges(job.id):
        runner.run_chunk(job.id, first, last)
    job.refresh_from_db()
    return job


def results(job) -> dict[str, str]:
    uids = dict(Device.objects.values_list("id", "uid"))
    return {
        uids[target]: result
        for target, result in BulkJobItem.objects.filter(job=job).values_list("target_id", "result")
    }


@pytest.fixture
def fleet(sim, acme_on_sim):
    return rows_from_sim(sim, acme_on_sim)


@pytest.fixture
def operator(client_of, olga):
    return client_of(olga)


def test_it_disables_alarms_reporting_and_auditing_each_device(sim, fleet, operator, olga, bolt_camera):
    chosen = fleet[:8]
    go_offline(sim, chosen[0])
    go_offline(sim, chosen[1])
    answer_once(sim, chosen[2], "cmd_not_support", "settings/alarm")
    answer_once(sim, chosen[3], "cmd_exec_error", "settings/alarm")

    response = operator.post(start_url(), {"action": "alarm_off", "device": [d.id for d in chosen]})
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.total == 8 and job.state == JobState.QUEUED and job.user == olga
    assert AuditEntry.objects.filter(action="bulk.started", params__job=job.id, params__devices=8).exists()

    job = run_job(job)
    assert job.state == JobState.DONE and job.finished_at is not None
    got = results(job)
    assert got[chosen[0].uid] == got[chosen[1].uid] == ItemResult.OFFLINE
    assert got[chosen[2].uid] == ItemResult.NOT_SUPPORTED
    assert got[chosen[3].uid] == ItemResult.ERROR
    assert {got[d.uid] for d in chosen[4:]} == {ItemResult.OK}
    for device in chosen[4:]:
        assert sim.sim.fleet.devices[device.uid].alarm_enabled is False
        device.refresh_from_db()
        assert device.alarm_enabled is False
    # Each device's change (or failure) is in the audit log, by the operator who started it.
    entries = AuditEntry.objects.filter(action="device.alarm")
    assert entries.count() == 8 and {e.user_id for e in entries} == {olga.id}
    assert dict(entries.values_list("target_label", "result")) == got
    finished = AuditEntry.objects.get(action="bulk.finished")
    assert finished.params["ok"] == 4 and finished.params["offline"] == 2

    page = operator.get(job_url(job)).content.decode()
    assert "The device is offline." in page and "This device does not support that." in page
    assert "The device could not carry out the command." in page
    assert 'hx-trigger="every 1s"' not in page  # done: no more polling
    offline_only = operator.get(job_url(job), {"result": "offline"}).content.decode()
    assert chosen[0].uid in offline_only and chosen[4].uid not in offline_only


def test_it_sends_pir_settings_to_the_devices(sim, fleet, operator):
    # Only models with a PIR sensor take PIR settings (the others answer cmd_not_support).
    chosen = [d for d in fleet if sim.sim.fleet.devices[d.uid].model.pir][:3]
    answer_once(sim, chosen[0], "cmd_not_support", "settings/pir-config")
    operator.post(
        start_url(),
        {
            "action": "set_pir",
            "device": [d.id for d in chosen],
            "pir_enabled": "1",
            "pir_sensitivity": "30",
            "pir_reduce_mistakes": "1",
        },
    )
    job = run_job(BulkJob.objects.get())
    assert job.params == {"enabled": True, "sensitivity": 30, "reduce_mistakes": True}
    assert results(job)[chosen[0].uid] == ItemResult.NOT_SUPPORTED
    for device in chosen[1:]:
        pir = sim.sim.fleet.devices[device.uid].pir
        assert (pir.enabled, pir.sensitivity, pir.reduce_mistakes) == (True, 30, True)
    assert AuditEntry.objects.filter(action="device.pir", result="ok").count() == 2


def test_it_polls_each_device_on_refresh_now(sim, fleet, operator):
    chosen = fleet[:3]
    go_offline(sim, chosen[0])
    operator.post(start_url(), {"action": "refresh", "device": [d.id for d in chosen]})
    job = run_job(BulkJob.objects.get())
    got = results(job)
    assert got[chosen[0].uid] == ItemResult.OFFLINE
    assert got[chosen[1].uid] == got[chosen[2].uid] == ItemResult.OK
    chosen[0].refresh_from_db()
    assert chosen[0].online is False


def test_it_tags_all_devices_matching_the_filter(sim, fleet, operator, olga):
    model = fleet[0].model
    matching = {d.uid for d in fleet if d.model == model}
    response = operator.post(
        start_url(),
        {
            "action": "add_tag",
            "tag": " North site ",
            "all_matching": "1",
            "filters": f"model={model}",
            "device": [fleet[-1].id],
        },
    )
    assert response.status_code == 302
    job = run_job(BulkJob.objects.get())
    tag = Tag.objects.get(partner=fleet[0].partner, name="North site")
    assert set(tag.devices.values_list("uid", flat=True)) == matching == set(results(job))
    added = AuditEntry.objects.filter(action="device.tag_added")
    assert set(added.values_list("target_label", flat=True)) == matching
    assert all(e.params["tag"] == "North site" and e.user_id == olga.id for e in added)

    untag = [d for d in fleet if d.uid in matching][:2]
    operator.post(start_url(), {"action": "remove_tag", "tag": "North site", "device": [d.id for d in untag]})
    run_job(BulkJob.objects.latest("id"))
    assert set(tag.devices.values_list("uid", flat=True)) == matching - {d.uid for d in untag}
    assert AuditEntry.objects.filter(action="device.tag_removed").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "alarm_off"}, "Select at least one device, or tick “all matching”."),
        ({"action": "explode", "device": ["1"]}, "Choose an action from the list."),
        (
            {"action": "set_pir", "device": ["1"], "pir_sensitivity": "150"},
            "Sensitivity: Ensure this value is less than or equal to 100.",
        ),
        ({"action": "set_pir", "device": ["1"]}, "Sensitivity: Give a sensitivity from 0 to 100."),
        ({"action": "add_tag", "device": ["1"], "tag": "  "}, "Tag: Give a tag name."),
        ({"action": "add_tag", "device": ["1"], "tag": "North\x1fsite"}, "A tag cannot contain control characters."),
        ({"action": "remove_tag", "device": ["1"], "tag": "Nowhere"}, "No device has the tag “Nowhere”."),
        ({"action": "alarm_off", "device": ["1", "x"]}, "The selection is not valid."),
        ({"action": "alarm_off", "device": ["99999999999999999999999"]}, "The selection is not valid."),
        ({"action": "alarm_off", "all_matching": "1", "filters": "battery_below=lots"}, "Battery below %"),
    ],
)
def test_it_starts_nothing_on_bad_input_and_says_why(sim, fleet, operator, data, message):
    response = operator.post(start_url(), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="bulk-errors"' in body and message in body
    response = operator.post(start_url(), data, follow=True)
    assert message in response.content.decode()
    assert not BulkJob.objects.exists()


def test_it_refuses_all_matching_above_the_cap(sim, fleet, operator, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_DEVICES", 5)
    response = operator.post(start_url(), {"action": "alarm_off", "all_matching": "1", "filters": ""}, follow=True)
    assert "This would change more than 5 devices. Narrow the filter" in response.content.decode()
    assert not BulkJob.objects.exists()


def test_it_redirects_an_htmx_submit_to_the_job_page(sim, fleet, operator):
    response = operator.post(
        start_url(), {"action": "refresh", "device": [fleet[0].id]}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == job_url(BulkJob.objects.get())


def test_it_forbids_viewers(sim, fleet, client_of, victor):
    response = client_of(victor).post(start_url(), {"action": "alarm_off", "device": [fleet[0].id]})
    assert response.status_code == 403
    assert not BulkJob.objects.exists()


def test_it_never_touches_other_partners_devices(sim, fleet, operator, bolt_camera, bob):
    response = operator.post(start_url(), {"action": "alarm_off", "device": [bolt_camera.id]}, follow=True)
    assert "nothing was started" in response.content.decode()
    assert not BulkJob.objects.exists()
    # Mixed with Acme's own: only Acme's devices become items.
    operator.post(start_url(), {"action": "add_tag", "tag": "Mine", "device": [bolt_camera.id, fleet[0].id]})
    job = run_job(BulkJob.objects.get())
    assert set(results(job)) == {fleet[0].uid}
    assert not bolt_camera.tags.exists()
    assert not AuditEntry.objects.about(bolt_camera).exists()
    # And Bolt's people cannot see Acme's job.
    assert client_of_bob(operator, bob).get(job_url(job, "bolt")).status_code == 404


def client_of_bob(client, bob):
    client.force_login(bob)
    return client


def test_it_never_redoes_an_item_when_a_chunk_runs_twice(sim, fleet, operator):
    operator.post(start_url(), {"action": "alarm_off", "device": [d.id for d in fleet[:3]]})
    job = run_job(BulkJob.objects.get())
    audits = AuditEntry.objects.filter(action="device.alarm").count()
    run_job(job)  # a redelivered chunk
    assert AuditEntry.objects.filter(action="device.alarm").count() == audits == 3
    assert AuditEntry.objects.filter(action="bulk.finished").count() == 1


def test_it_reports_an_item_a_dead_worker_left_running_without_redoing_it(sim, fleet, operator):
    operator.post(start_url(), {"action": "alarm_off", "device": [d.id for d in fleet[:2]]})
    job = BulkJob.objects.get()
    stuck = BulkJobItem.objects.filter(job=job).order_by("id")[0]
    BulkJobItem.objects.filter(id=stuck.id).update(state=ItemState.RUNNING)
    job = run_job(job)
    stuck.refresh_from_db()
    assert stuck.result == ItemResult.ERROR and "worker stopped" in stuck.message
    assert job.state == JobState.DONE
    assert AuditEntry.objects.filter(action="device.alarm").count() == 1


def test_it_splits_a_big_job_into_chunks(acme):
    assert dispatch.chunk_ranges(list(range(1, 121)), size=50) == [(1, 50), (51, 100), (101, 120)]


def test_it_polls_the_job_page_until_done_and_shows_results_out_of_band(sim, fleet, operator, client_of, victor):
    operator.post(start_url(), {"action": "alarm_on", "device": [d.id for d in fleet[:2]]})
    job = BulkJob.objects.get()
    viewer = client_of(victor)  # viewers may follow a job
    page = viewer.get(job_url(job)).content.decode()
    assert 'hx-trigger="every 1s"' in page and "0 of 2 finished" in page
    run_job(job)
    poll = viewer.get(
        job_url(job),
        {"part": "progress"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{job_url(job)}?result=ok"},
    )
    body = poll.content.decode()
    assert "<html" not in body and 'hx-trigger="every 1s"' not in body and "Done" in body
    assert re.search(r'id="job-items"[^>]*hx-swap-oob="true"', body)
    assert body.count('class="badge badge-ok">OK</span></td>') == 2
    assert viewer.post(job_url(job)).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_job_to_completion_on_a_real_worker(sim, acme_on_sim, celery_worker, client_of, olga, monkeypatch):
    fleet = rows_from_sim(sim, acme_on_sim)
    go_offline(sim, fleet[0])
    # Several chunks, so that the worker's threads share the job.
    monkeypatch.setattr(dispatch, "CHUNK_SIZE", 8)
    response = client_of(olga).post(start_url(), {"action": "alarm_off", "all_matching": "1", "filters": ""})
    assert response.status_code == 302
    job = BulkJob.objects.get()
    deadline = time.monotonic() + 60
    while job.state != JobState.DONE and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.state == JobState.DONE
    got = results(job)
    assert len(got) == len(fleet) == 30
    assert got[fleet[0].uid] == ItemResult.OFFLINE
    assert [uid for uid, result in got.items() if result != ItemResult.OK] == [fleet[0].uid]
    assert Device.objects.filter(partner=acme_on_sim, alarm_enabled=False).count() == len(fleet) - 1


@pytest.mark.parametrize("after", ["²", "-1", "abc", "9" * 30, " 1"])
def test_it_answers_a_bad_after_cursor_on_the_job_page_with_the_first_page(sim, fleet, operator, after):
    operator.post(start_url(), {"action": "add_tag", "tag": "North", "device": [fleet[0].id]})
    job = run_job(BulkJob.objects.get())
    response = operator.get(job_url(job), {"after": after}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert fleet[0].uid in response.content.decode()
