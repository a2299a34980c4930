"""Uploading through the library's upload view: streamed to storage with its sha256
and size, names checked as the Core Server checks them, duplicates refused."""

import os
import time

from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from firmware import uploads
from firmware.models import FirmwareImage

from .tools import image_bytes, incoming_files, sha256, stored, upload

NAME = "IPC_51516M5M.2356_23062700.RLC-810A.pak"


def test_it_streams_a_multi_mb_upload_to_storage_with_its_sha256_and_size(client_of, olga, acme, media_root):
    data = image_bytes(6 * 1024 * 1024 + 123)
    response = upload(client_of(olga), acme, NAME, data)
    image = stored(acme, NAME)
    assert response.status_code == 302
    assert response["Location"] == reverse("firmware_detail", kwargs={"slug": "acme", "image_id": image.id})
    assert (image.size, image.sha256) == (len(data), sha256(data))
    with image.file.open("rb") as fh:
        assert sha256(fh.read()) == sha256(data)
    assert str(image.file.path).startswith(str(media_root))
    assert image.uploaded_by == olga
    assert incoming_files(media_root) == []  # moved into place, no copy left behind
    entry = AuditEntry.objects.get(partner=acme, action="firmware.upload")
    assert entry.user == olga and entry.params["sha256"] == sha256(data)


def test_it_parses_version_and_models_from_the_name(client_of, olga, acme):
    upload(client_of(olga), acme, NAME, image_bytes())
    image = stored(acme, NAME)
    assert image.version == "RLC_810A_230627_2356"
    assert image.target_models == ["RLC-810A"]


def test_it_answers_an_htmx_upload_with_a_client_redirect(client_of, olga, acme):
    response = upload(client_of(olga), acme, NAME, image_bytes(), HX_Request="true")
    assert response.status_code == 200
    image = stored(acme, NAME)
    assert response["HX-Redirect"] == reverse("firmware_detail", kwargs={"slug": "acme", "image_id": image.id})


def test_it_refuses_names_the_core_server_refuses_with_form_errors(client_of, olga, acme, media_root):
    client = client_of(olga)
    for name, words in [
        ("firmware.bin", "accepts only .pak and .paks"),
        ("IMAGE.PAK", "in lower case"),
        (".hidden.pak", "must not start with a dot"),
        ("bad;name.pak", "may contain only letters"),
    ]:
        response = upload(client, acme, name, image_bytes(1000))
        assert response.status_code == 200, name
        assert words in response.content.decode(), name
    # The htmx form gets the form back with the error, in place.
    response = upload(client, acme, "firmware.bin", image_bytes(1000), HX_Request="true")
    assert b'id="firmware-upload"' in response.content and b"<html" not in response.content
    assert b"accepts only .pak and .paks" in response.content
    assert not FirmwareImage.objects.exists()
    assert incoming_files(media_root) == []


def test_it_says_the_file_is_required_on_an_empty_post(client_of, olga, acme):
    response = client_of(olga).post(reverse("firmware_upload", kwargs={"slug": "acme"}), {})
    assert response.status_code == 200
    assert b"This field is required." in response.content


def test_it_refuses_the_same_bytes_twice_naming_the_existing_image(client_of, olga, acme, media_root):
    client = client_of(olga)
    data = image_bytes()
    upload(client, acme, NAME, data)
    response = upload(client, acme, "RLC-810A.2356_23062700.REOLINK.pak", data)
    assert response.status_code == 200
    assert f"already in the library as “{NAME}”" in response.content.decode()
    assert FirmwareImage.objects.filter(partner=acme).count() == 1
    assert incoming_files(media_root) == []
    assert len(list((media_root / "firmware").rglob("*.pak"))) == 1


def test_it_refuses_the_same_name_twice(client_of, olga, acme):
    client = client_of(olga)
    upload(client, acme, NAME, image_bytes())
    response = upload(client, acme, NAME, image_bytes())
    assert f"An image named “{NAME}” is already in the library" in response.content.decode()
    assert FirmwareImage.objects.filter(partner=acme).count() == 1


def test_it_lets_another_partner_hold_the_same_image(client_of, olga, bob, acme, bolt):
    data = image_bytes()
    upload(client_of(olga), acme, NAME, data)
    upload(client_of(bob), bolt, NAME, data)
    assert stored(bolt, NAME).sha256 == stored(acme, NAME).sha256


def test_it_refuses_an_image_over_the_limit_without_keeping_it(client_of, olga, acme, settings, media_root):
    settings.FIRMWARE_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    response = upload(client_of(olga), acme, NAME, image_bytes(3 * 1024 * 1024))
    assert "larger than the console accepts (2 MiB)" in response.content.decode()
    assert not FirmwareImage.objects.exists()
    assert incoming_files(media_root) == []


def test_it_refuses_an_empty_file(client_of, olga, acme):
    response = upload(client_of(olga), acme, NAME, b"")
    assert response.status_code == 200
    assert b"The submitted file is empty." in response.content
    assert not FirmwareImage.objects.exists()


def test_it_still_checks_csrf_on_the_streamed_body(olga, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(olga)
    assert upload(client, acme, NAME, image_bytes()).status_code == 403
    client.get(reverse("firmware_list", kwargs={"slug": "acme"}))
    token = client.cookies["csrftoken"].value
    assert upload(client, acme, NAME, image_bytes(), X_CSRFToken=token).status_code == 302
    assert stored(acme, NAME).size == 300_000


def test_it_lets_viewers_read_the_library_but_not_upload(client_of, victor, acme):
    client = client_of(victor)
    page = client.get(reverse("firmware_list", kwargs={"slug": "acme"}))
    assert page.status_code == 200 and b'id="firmware-upload"' not in page.content
    assert upload(client, acme, NAME, image_bytes()).status_code == 403
    assert not FirmwareImage.objects.exists()


def test_it_sends_anonymous_uploads_to_the_login_page(client, acme):
    response = upload(client, acme, NAME, image_bytes())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_answers_400_to_a_malformed_body_and_405_to_a_get(client_of, olga, acme):
    client = client_of(olga)
    url = reverse("firmware_upload", kwargs={"slug": "acme"})
    response = client.generic("POST", url, b"--x\r\nnonsense", content_type="multipart/form-data")  # no boundary
    assert response.status_code == 400
    assert client.get(url).status_code == 405
    assert not FirmwareImage.objects.exists()


def test_it_sweeps_the_temporary_files_a_dead_server_left_behind(media_root):
    incoming = uploads.incoming_dir()
    abandoned, arriving, other = incoming / "old.upload", incoming / "new.upload", incoming / "notes.txt"
    for path in (abandoned, arriving, other):
        path.write_bytes(b"x")
    day_ago = time.time() - uploads.ABANDONED_AFTER_SECONDS - 60
    os.utime(abandoned, (day_ago, day_ago))
    os.utime(other, (day_ago, day_ago))
    assert uploads.sweep_incoming() == 1
    # Only abandoned uploads: one still being written to, and anything not an upload, stay.
    assert sorted(p.name for p in incoming.iterdir()) == ["new.upload", "notes.txt"]
