"""Fleet-wide recording search on a real Celery worker against ropsim over real
HTTP: results merged by time, each device's problem beside them, battery cameras
woken only when the search asks."""

import datetime as dt

from django.urls import reverse

from devices.models import Device, Tag
from jobs.dispatch import CHUNK_SIZE
from jobs.models import Job, JobState
from recordings.models import RecordingSearch
from recordings.search import in_flight_cap
from tests.devices.device_page_tools import page_device
from tests.devices.simtools import control, wait_for

from .tools import battery_device, clips, day_with

SEARCH_URL = reverse("recording_searches", kwargs={"slug": "acme"})


def sd_devices(sim, partner, count):
    uids = [
        uid
        for uid, dev in sim.sim.fleet.devices.items()
        if dev.has_recordings and not dev.model.battery and dev.model.channels == 1
    ]
    return [page_device(sim, partner, uid=uid) for uid in uids[:count]]


def tagged(name, partner, *devices):
    tag = Tag.objects.create(partner=partner, name=name)
    for device in devices:
        device.tags.add(tag)
    return devices


def run_search(client, **fields):
    response = client.post(SEARCH_URL, {"start": "00:00:00", "end": "23:59:59", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    search = RecordingSearch.objects.latest("id")
    wait_for(lambda: Job.objects.get(id=search.job_id).state == JobState.DONE, timeout=60, what="the search to end")
    return search


def test_it_searches_a_site_and_lists_each_devices_problem_beside_the_results_merged_by_time(
    sim, acme_on_sim, client_of, olga, celery_worker
):
    good, other, no_sd, gone = sd_devices(sim, acme_on_sim, 4)
    battery = battery_device(sim, acme_on_sim)
    control(sim, "PUT", f"/devices/{no_sd.uid}/sd-card", json={"inserted": False})
    control(sim, "POST", f"/devices/{gone.uid}/offline")
    control(sim, "POST", f"/devices/{battery.uid}/sleep")
    tagged("North", acme_on_sim, good, other, no_sd, gone, battery)
    page_device(sim, acme_on_sim, uid=next(u for u in sim.sim.fleet.devices if not Device.objects.filter(uid=u)))
    day = day_with(sim, good.uid, at_least=5)
    client = client_of(olga)

    search = run_search(client, day=day.isoformat(), tag="North")

    expected = sorted((c.start, c.file_name) for d in (good, other) for c in clips(sim, d.uid, day))
    assert [
        (h.start_time.replace(tzinfo=None), h.file_name) for h in search.hits.order_by("start_time", "id")
    ] == expected
    assert search.job.total == 5  # the untagged device was not asked
    html = client.get(reverse("recording_search", kwargs={"slug": "acme", "search_id": search.id})).content.decode()
    assert 'data-problem="no_sd_card"' in html and "No SD card: this device keeps no recordings." in html
    assert 'data-problem="offline"' in html and "The device is offline." in html
    assert 'data-problem="asleep"' in html and "Battery camera not woken" in html
    assert 'data-live="0"' in html
    assert control(sim, "GET", f"/devices/{battery.uid}")["sleeping"] is True
    # The engine's own job page lists the same words per device.
    job_page = client.get(reverse("job_detail", kwargs={"slug": "acme", "job_id": search.job_id})).content.decode()
    assert "No SD card: this device keeps no recordings." in job_page


def test_it_wakes_battery_cameras_only_when_the_search_asks(sim, acme_on_sim, client_of, olga, celery_worker):
    battery = battery_device(sim, acme_on_sim)
    control(sim, "POST", f"/devices/{battery.uid}/sleep")
    day = day_with(sim, battery.uid, at_least=1)
    client = client_of(olga)

    search = run_search(client, day=day.isoformat(), device=battery.uid, wake_battery="on")

    assert control(sim, "GET", f"/devices/{battery.uid}")["sleeping"] is False
    assert search.hits.count() == len(clips(sim, battery.uid, day))
    assert search.job.items.get().result == "ok"


def test_it_reports_a_device_that_answers_too_slowly_as_timed_out(
    sim, acme_on_sim, client_of, olga, celery_worker, settings
):
    settings.RECORDING_SEARCH_DEVICE_SECONDS = 1.0
    slow, quick = sd_devices(sim, acme_on_sim, 2)
    control(sim, "PUT", f"/devices/{slow.uid}/behaviour", json={"latencyMs": 3000})
    day = day_with(sim, quick.uid, at_least=1)

    search = run_search(client_of(olga), day=day.isoformat(), device=[slow.uid, quick.uid])

    results = {i.target_id: (i.result, i.message) for i in search.job.items.all()}
    assert results[slow.id][0] == "timeout"
    assert "did not answer within" in results[slow.id][1]
    assert results[quick.id][0] == "ok"
    assert search.hits.filter(device_uid=quick.uid).count() == len(clips(sim, quick.uid, day))


def test_it_polls_the_results_while_devices_are_still_being_asked(sim, acme_on_sim, client_of, olga):
    (device,) = sd_devices(sim, acme_on_sim, 1)
    client = client_of(olga)
    response = client.post(SEARCH_URL, {"day": str(dt.date.today()), "device": device.uid})
    search = RecordingSearch.objects.get()
    assert response.status_code == 302
    url = reverse("recording_search", kwargs={"slug": "acme", "search_id": search.id})
    poll = client.get(url + "?part=results", HTTP_HX_REQUEST="true").content.decode()
    assert poll.strip().startswith('<div id="search-results" hx-get=')
    assert 'hx-trigger="every 1s"' in poll and 'data-live="1"' in poll


def test_it_refuses_a_range_that_ends_before_it_starts_in_words(acme, client_of, olga, acme_camera):
    response = client_of(olga).post(SEARCH_URL, {"day": "2026-01-01", "start": "10:00", "end": "09:00"})
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not RecordingSearch.objects.exists()


def test_it_says_when_no_device_matches(acme, client_of, olga, acme_camera):
    response = client_of(olga).post(SEARCH_URL, {"day": "2026-01-01", "tag": "Nowhere"})
    assert response.status_code == 400
    assert "No devices match; nothing was searched." in response.content.decode()


def test_it_lets_viewers_see_searches_but_not_start_one(acme, client_of, victor, acme_camera):
    client = client_of(victor)
    assert client.get(SEARCH_URL).status_code == 200
    assert client.post(SEARCH_URL, {"day": "2026-01-01"}).status_code == 403


def test_it_caps_a_search_in_flight_only_when_its_chunks_could_exceed_the_concurrency(settings):
    settings.RECORDING_SEARCH_CONCURRENCY = 4
    assert in_flight_cap(4 * CHUNK_SIZE) is None  # four chunks, each one device at a time
    assert in_flight_cap(4 * CHUNK_SIZE + 1) == 4
    settings.RECORDING_SEARCH_CONCURRENCY = 0
    assert in_flight_cap(10_000) is None
