"""Tokens and rows for the API tests: rows are written directly (the API only reads)."""

import pytest
from django.test import Client

from alarms.models import AlarmEvent
from api.tokens import create_token
from audit.services import record
from devices.models import DeviceHealthSample
from firmware.models import FirmwareImage, Rollout
from jobs.models import ItemState, Job, JobItem, JobState


@pytest.fixture
def acme_token(acme, alice):
    return create_token(acme, alice, "BI export")[1]


@pytest.fixture
def bolt_token(bolt, bob):
    return create_token(bolt, bob, "Bolt export")[1]


@pytest.fixture
def api(acme_token):
    """A client that sends Acme's token (no session)."""
    return Client(headers={"Authorization": f"Bearer {acme_token}"})


def make_history(partner, devices, user):
    """A little of everything the API lists, for `partner`'s `devices`."""
    for i, device in enumerate(devices):
        DeviceHealthSample.objects.create(
            device=device, taken_at=device.last_seen or device.created_at, online=device.online, battery_percent=i
        )
        AlarmEvent.objects.create(
            partner=partner, device=device, device_uid=device.uid, status="MD", ai_types=["people"]
        )
        record(partner, "device.alarm", user=user, target=device, params={"enabled": bool(i % 2)})
    image = FirmwareImage.objects.create(partner=partner, file_name="IPC_523128M5MP.1234_2401011234.Argus-3-Pro.pak")
    job = Job.objects.create(partner=partner, kind="rollout", action="upgrade", state=JobState.DONE, total=len(devices))
    rollout = Rollout.objects.create(partner=partner, job=job, image=image, name="Spring", waves=[len(devices)])
    bulk = Job.objects.create(partner=partner, kind="bulk", action="refresh", state=JobState.DONE, total=len(devices))
    for i, device in enumerate(devices):
        result = "succeeded" if i % 3 else "failed"
        JobItem.objects.create(job=job, target_id=device.id, state=ItemState.DONE, result=result)
        JobItem.objects.create(job=bulk, target_id=device.id, state=ItemState.DONE, result="ok")
    return {"image": image, "rollout": rollout, "job": bulk}
