"""Helpers for the firmware tests: image bytes and uploads through the real view."""

import hashlib
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firmware.models import FirmwareImage


def image_bytes(size: int = 300_000, seed: bytes = b"") -> bytes:
    return seed + os.urandom(size - len(seed))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(client, partner, name: str, data: bytes, **headers):
    """POST one file to the upload view, as the browser's form does (multipart)."""
    url = reverse("firmware_upload", kwargs={"slug": partner.slug})
    return client.post(url, {"file": SimpleUploadedFile(name, data, "application/octet-stream")}, headers=headers)


def stored(partner, name: str) -> FirmwareImage:
    return FirmwareImage.objects.get(partner=partner, file_name=name)


def incoming_files(media_root) -> list[Path]:
    folder = media_root / "firmware" / "incoming"
    return sorted(folder.iterdir()) if folder.exists() else []


def rollout_in_state(image, name: str, state: str):
    """A rollout of `image` whose job is in `state` (jobs.models.JobState), no devices."""
    from firmware.models import Rollout
    from jobs.models import Job

    job = Job.objects.create(partner=image.partner, kind="rollout", action="upgrade", state=state)
    return Rollout.objects.create(partner=image.partner, job=job, image=image, name=name)
