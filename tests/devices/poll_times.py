"""Devices' next poll times for assertions: a device with none fails the test here, where
the reason is plain, instead of as a comparison with None further on."""

from datetime import datetime

from django.db.models import QuerySet

from devices.models import Device


def next_polls(devices: QuerySet[Device]) -> list[datetime]:
    times = list(devices.values_list("next_poll_at", flat=True))
    scheduled = [at for at in times if at is not None]
    assert len(scheduled) == len(times), "a device has no next poll"
    return scheduled
