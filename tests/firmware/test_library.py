"""The library page, an image's page, editing and deleting (with the in-use rule)."""

from pathlib import Path

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from firmware.models import FirmwareImage
from jobs.models import JobState

from .tools import image_bytes, rollout_in_state, stored, upload

NAME = "Argus-3-Pro.1890_23030100.REOLINK.pak"


@pytest.fixture
def image(client_of, olga, acme):
    upload(client_of(olga), acme, NAME, image_bytes())
    return stored(acme, NAME)


def url(name, image, **extra):
    return reverse(name, kwargs={"slug": image.partner.slug, "image_id": image.id, **extra})


def test_it_lists_the_partners_images_only(client_of, victor, image, bolt):
    FirmwareImage.objects.create(partner=bolt, file_name="BOLT-ONLY.pak", sha256="b" * 64, size=1)
    page = client_of(victor).get(reverse("firmware_list", kwargs={"slug": "acme"})).content.decode()
    assert NAME in page and "Argus_3_Pro_230301_1890" in page and "Argus 3 Pro" in page
    assert "BOLT-ONLY" not in page
    assert "Not on the Core Server" in page


def test_it_edits_version_and_models(client_of, olga, image):
    response = client_of(olga).post(
        url("firmware_edit", image), {"version": "v3.1.0.1890", "models": "Argus 3 Pro, Argus PT,, Argus PT"}
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.version, image.target_models) == ("v3.1.0.1890", ["Argus 3 Pro", "Argus PT"])
    entry = AuditEntry.objects.get(action="firmware.edit")
    assert entry.user == olga and entry.params["version"] == {"from": "Argus_3_Pro_230301_1890", "to": "v3.1.0.1890"}


def test_it_answers_an_htmx_edit_with_its_errors_in_place(client_of, olga, image):
    response = client_of(olga).post(
        url("firmware_edit", image), {"version": "x" * 40, "models": "M" * 40}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="firmware-details"' in body and "<html" not in body
    assert "at most 31 characters" in body and "too long for a model name" in body
    image.refresh_from_db()
    assert image.version == "Argus_3_Pro_230301_1890"
    assert not AuditEntry.objects.filter(action="firmware.edit").exists()


def test_it_shows_viewers_the_image_without_controls(client_of, victor, image):
    client = client_of(victor)
    page = client.get(url("firmware_detail", image)).content.decode()
    assert image.sha256 in page and "Argus_3_Pro_230301_1890" in page
    assert "Push to Core Server" not in page and "Delete from the library" not in page
    assert 'method="post" action="/p/acme/firmware' not in page
    for name in ("firmware_edit", "firmware_delete", "firmware_push"):
        assert client.post(url(name, image), {"version": "x"}).status_code == 403
    assert FirmwareImage.objects.filter(id=image.id, version="Argus_3_Pro_230301_1890").exists()


def test_it_deletes_the_row_and_once_committed_the_stored_file(
    client_of, olga, image, django_capture_on_commit_callbacks
):
    path = Path(image.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_of(olga).post(url("firmware_delete", image))
        assert path.exists()  # until the delete commits
    assert response.status_code == 302 and response["Location"] == reverse("firmware_list", kwargs={"slug": "acme"})
    assert not FirmwareImage.objects.filter(id=image.id).exists()
    assert AuditEntry.objects.filter(action="firmware.delete", params__sha256=image.sha256).exists()
    for callback in callbacks:
        callback()
    assert not path.exists()


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.PAUSED])
def test_it_keeps_an_image_an_unfinished_rollout_uses(client_of, olga, image, state):
    rollout_in_state(image, "Spring upgrade", state)
    client = client_of(olga)
    page = client.get(url("firmware_detail", image)).content.decode()
    assert "Delete from the library" not in page and "Spring upgrade" in page
    response = client.post(url("firmware_delete", image), follow=True)
    assert "used by a rollout that has not finished (Spring upgrade)" in response.content.decode()
    assert FirmwareImage.objects.filter(id=image.id).exists()
    assert not AuditEntry.objects.filter(action="firmware.delete").exists()


def test_it_keeps_an_image_finished_rollouts_used_for_their_history(client_of, olga, image):
    rollout_in_state(image, "Old", JobState.DONE)
    response = client_of(olga).post(url("firmware_delete", image), follow=True)
    assert "finished rollouts refer to it" in response.content.decode()
    assert FirmwareImage.objects.filter(id=image.id).exists()


def test_it_marks_images_in_use(client_of, victor, image):
    rollout_in_state(image, "Now", JobState.RUNNING)
    page = client_of(victor).get(reverse("firmware_list", kwargs={"slug": "acme"})).content.decode()
    assert "in a rollout" in page
