"""Helpers for the device page tests: Device rows for simulated devices, URLs, faults."""

from urllib.parse import urlencode

import requests
from django.core.cache import cache
from django.urls import reverse

from devices.capabilities import derived_capabilities
from devices.device_reads import snapshot_key
from devices.models import Device
from devices.sync import channel_count_of
from rop.validation import LIVE_STREAM_TYPES

from .simtools import control


def page_device(sim, partner, *, uid=None, **filters) -> Device:
    """The Device row for a simulated device (the first whose model matches `filters`,
    e.g. battery=False, zoom=True), as the sync engine would have stored it."""
    for sim_uid, dev in sim.sim.fleet.devices.items():
        if (uid is None or sim_uid == uid) and all(getattr(dev.model, k) == v for k, v in filters.items()):
            model = dev.model
            device = Device.objects.create(
                partner=partner,
                uid=sim_uid,
                model=model.name,
                family=model.family,
                online=True,
                display_name=dev.name,
                firmware_version=dev.firmware,
                capabilities=derived_capabilities(model.family, model.name),
                channel_count=channel_count_of(model.name),
                alarm_enabled=dev.alarm_enabled,
            )
            # Ids and UIDs repeat from one test run to the next: no snapshot of an earlier run.
            cache.delete_many(
                [snapshot_key(device, ch, st) for ch in range(device.channel_count) for st in LIVE_STREAM_TYPES]
            )
            return device
    raise AssertionError(f"no simulated device with {filters}")


def url(name, device, **query) -> str:
    path = reverse(name, kwargs={"slug": device.partner.slug, "uid": device.uid})
    if query:
        path += "?" + urlencode(query)
    return path


def htmx(client):
    """Requests as htmx sends them."""

    class Htmx:
        def get(self, path, data=None):
            return client.get(path, data, HTTP_HX_REQUEST="true")

        def post(self, path, data=None):
            return client.post(path, data or {}, HTTP_HX_REQUEST="true")

    return Htmx()


def set_faults(sim, **faults):
    control(sim, "PUT", "/faults", json=faults)


def rate_limit_everything(sim):
    """A gateway budget so small that, after one request, every request is refused
    with a Retry-After far beyond what an interactive request waits."""
    set_faults(sim, rate_limit=0.001)
    requests.get(f"{sim.base_url}/v1.0/devices", headers={"Authorization": "Bearer sim-token"}, timeout=5)
