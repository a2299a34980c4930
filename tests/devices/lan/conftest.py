"""LAN devices in the console against ropsim's LAN emulator over real HTTP(S).

The emulator runs on a background thread (ropsim.lan.testing.LanThread) with its
own fleet: a PTZ camera with AI, spotlight and siren (RLC-823A), an 8-channel NVR,
and a battery PT camera without AI. Loopback is allowed (as in the demo) so the
console's LAN address policy lets it through."""

from collections.abc import Iterator

import pytest
from django.urls import reverse

from devices.models import Device
from ropsim.fleet import Fleet, SimDevice
from ropsim.lan import DEMO_PASSWORD, LanOptions
from ropsim.lan.testing import LanThread


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=23)


@pytest.fixture
def devs(fleet: Fleet) -> dict[str, SimDevice]:
    return {
        "camera": fleet.create_device("RLC-823A"),
        "nvr": fleet.create_device("NVR RLN8-410"),
        "noai": fleet.create_device("Argus PT"),
    }


@pytest.fixture
def lan(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, options=LanOptions(reboot_seconds=60)) as running:
        yield running


@pytest.fixture
def lan_https(fleet: Fleet, devs: dict[str, SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, options=LanOptions(reboot_seconds=60), https=True) as running:
        yield running


def add_form(lan: LanThread, dev: SimDevice, **overrides: object) -> dict[str, object]:
    ep = lan.endpoint(dev.uid)
    data: dict[str, object] = {
        "lan_host": ep.host,
        "lan_port": ep.port,
        "lan_use_https": "true" if ep.scheme == "https" else "false",
        "lan_username": "admin",
        "lan_password": DEMO_PASSWORD,
        "lan_status_interval_ms": 5000,
        "lan_timeout_ms": 4000,
    }
    data.update(overrides)
    return data


def add_url(slug: str = "acme") -> str:
    return reverse("lan_device_add", kwargs={"slug": slug})


def add_device(client, lan: LanThread, dev: SimDevice, **overrides: object) -> Device:
    response = client.post(add_url(), add_form(lan, dev, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Device.objects.get(uid=dev.uid)


@pytest.fixture
def lan_camera(client_of, olga, lan, devs) -> Device:
    """The PTZ camera, added by olga (the operator) through the form."""
    return add_device(client_of(olga), lan, devs["camera"])


@pytest.fixture
def lan_nvr(client_of, olga, lan, devs) -> Device:
    return add_device(client_of(olga), lan, devs["nvr"])
