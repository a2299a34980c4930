"""Pushing images to the Core Server: ropsim over real HTTP, raw bytes, once per
partner; duplicate_firmware is "already there"; a real Celery worker for the button."""

import time
from datetime import timedelta
from pathlib import Path

import requests
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from firmware import pushing
from firmware.models import FirmwareImage, PushState
from ropsim.models import CATALOGUE

from .tools import image_bytes, sha256, stored, upload

NAME = CATALOGUE["RLC-810A"].firmware_filename(2400, "240101")


def sim_files(sim) -> dict[str, dict[str, object]]:
    response = requests.get(f"{sim.control_url}/firmware", timeout=5)
    response.raise_for_status()
    return {f["name"]: f for f in response.json()["items"]}


def uploaded(client_of, olga, partner, data) -> FirmwareImage:
    upload(client_of(olga), partner, NAME, data)
    return stored(partner, NAME)


def test_it_pushes_the_exact_bytes_once(client_of, olga, sim, acme_on_sim):
    data = image_bytes(2 * 1024 * 1024 + 7)
    image = uploaded(client_of, olga, acme_on_sim, data)
    outcome = pushing.push_image(image.id, user_id=olga.id)
    assert outcome.result == "pushed"
    on_sim = sim_files(sim)[NAME]
    assert (on_sim["size"], on_sim["sha256"]) == (len(data), sha256(data))
    assert Path(sim.sim.firmware.path(NAME)).read_bytes() == data  # raw body, not a form
    image.refresh_from_db()
    assert image.push_state == PushState.PUSHED and image.uploaded_to_rop_at is not None
    assert AuditEntry.objects.get(action="firmware.push").user == olga
    # Once there, it is not sent again.
    counters = requests.get(f"{sim.control_url}/counters", timeout=5).json()
    assert pushing.push_image(image.id).result == "already_there"
    assert requests.get(f"{sim.control_url}/counters", timeout=5).json() == counters


def test_it_records_duplicate_firmware_as_already_there(client_of, olga, sim, acme_on_sim):
    image = uploaded(client_of, olga, acme_on_sim, image_bytes())
    assert pushing.push_image(image.id).ok
    # The Core Server lost track for the console (say, a rollout saw file_not_found
    # wrongly): the next push answers duplicate_firmware, which is not a failure.
    pushing.forget_push(image.id, "test")
    image.refresh_from_db()
    assert image.uploaded_to_rop_at is None and image.push_state == PushState.NOT_PUSHED
    outcome = pushing.push_image(image.id)
    assert outcome.result == "already_there"
    image.refresh_from_db()
    assert image.push_state == PushState.PUSHED and image.uploaded_to_rop_at is not None
    assert "already had a file of this name" in image.push_message
    results = list(AuditEntry.objects.filter(action="firmware.push").order_by("id").values_list("result", "params"))
    assert [r for r, _ in results] == ["ok", "ok"]
    assert [p["outcome"] for _, p in results] == ["pushed", "already_there"]


def test_it_pushes_again_after_file_not_found(client_of, olga, sim, acme_on_sim):
    image = uploaded(client_of, olga, acme_on_sim, image_bytes())
    assert pushing.push_image(image.id).ok
    # The Core Server's store was wiped: a session would answer file_not_found.
    sim.call(sim.sim.firmware.files.clear)
    Path(sim.sim.firmware.path(NAME)).unlink()
    pushing.forget_push(image.id, "The Core Server no longer had this file.")
    assert pushing.push_image(image.id).result == "pushed"
    assert sim_files(sim)[NAME]["sha256"] == image.sha256


def test_it_does_not_repeat_a_push_another_worker_holds(client_of, olga, sim, acme_on_sim):
    image = uploaded(client_of, olga, acme_on_sim, image_bytes())
    FirmwareImage.objects.filter(id=image.id).update(push_state=PushState.PUSHING, push_started_at=timezone.now())
    assert pushing.push_image(image.id).result == "busy"
    assert NAME not in sim_files(sim)
    # A claim older than the task's time limit is a dead worker's: taken over.
    stale = timezone.now() - timedelta(seconds=pushing.PUSH_TIME_LIMIT_SECONDS + 1)
    FirmwareImage.objects.filter(id=image.id).update(push_started_at=stale)
    assert pushing.push_image(image.id).result == "pushed"


def test_it_fails_the_push_to_an_unreachable_core_server_with_a_reason(client_of, olga, acme):
    image = uploaded(client_of, olga, acme, image_bytes())  # acme points at a closed port
    outcome = pushing.push_image(image.id)
    assert outcome.result == "failed"
    image.refresh_from_db()
    assert image.push_state == PushState.FAILED and image.uploaded_to_rop_at is None
    assert image.push_message == "The Core Server cannot be reached."
    assert AuditEntry.objects.get(action="firmware.push").result == "error"
    page = client_of(olga).get(reverse("firmware_detail", kwargs={"slug": "acme", "image_id": image.id}))
    assert b"Push failed" in page.content and b"Push to Core Server" in page.content  # may be tried again


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_it_queues_a_push_from_the_button_that_a_worker_runs(client_of, olga, sim, acme_on_sim, celery_worker):
    data = image_bytes()
    image = uploaded(client_of, olga, acme_on_sim, data)
    client = client_of(olga)
    push_url = reverse("firmware_push", kwargs={"slug": "acme", "image_id": image.id})
    response = client.post(push_url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="firmware-push"' in body and "every 2s" in body  # the partial polls while queued
    # A second click while queued queues nothing more.
    client.post(push_url)
    wait_for(lambda: FirmwareImage.objects.get(id=image.id).push_state == PushState.PUSHED, "the worker's push")
    assert sim_files(sim)[NAME]["sha256"] == sha256(data)
    assert AuditEntry.objects.filter(action="firmware.push_queued").count() == 1
    assert AuditEntry.objects.get(action="firmware.push").user == olga
    poll = client.get(
        reverse("firmware_detail", kwargs={"slug": "acme", "image_id": image.id}) + "?part=push",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "On the Core Server" in poll and "every 2s" not in poll and "Push to Core Server" not in poll
