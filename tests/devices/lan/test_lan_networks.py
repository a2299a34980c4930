"""LAN_ALLOWED_NETWORKS: where LAN devices may be. An operator types a LAN device's address,
so without a bound "add a LAN device" (or moving one) would let them probe the console's own
services on any private network. Every address but loopback must be in one of these networks
(private ranges by default), loopback only where ROP_ALLOW_LOOPBACK_ADDRESSES allows it (the
demo); checked at every connection, after DNS, so a name answering another address later is
refused then. A refusal is a form error and an audit entry, a job item's error in a bulk job."""

import pytest
from django.urls import reverse

import rop.addresses
from audit.models import AuditEntry
from devices.models import Device, ItemResult
from partners.rop_clients import lan_policy
from rop.addresses import parse_networks
from rop.errors import AddressRefused
from ropsim.lan import DEMO_PASSWORD

from .conftest import add_device, add_form, add_url
from .listeners import answering, listening
from .test_bulk_lan import results, start

OUTSIDE = "outside the networks this installation allows"


@pytest.fixture
def names(monkeypatch):
    """A DNS of the test's own: names → the address the test says (others as the system says)."""
    answers: dict[str, str] = {}
    system = rop.addresses.system_resolver

    def resolve(host: str, port: int) -> list[str]:
        return [answers[host]] if host in answers else system(host, port)

    monkeypatch.setattr(rop.addresses, "system_resolver", resolve)
    return answers


def test_it_bounds_lan_cameras_to_the_allowed_networks_and_loopback_to_its_switch(settings):
    assert settings.LAN_ALLOWED_NETWORKS  # the default: RFC 1918 and IPv6 unique local
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    for allowed in ("10.1.2.3", "172.20.0.5", "192.168.1.20", "fd12:3456::20"):
        assert lan_policy().resolve(allowed, 80)
    for refused, why in [
        ("203.0.113.7", OUTSIDE),  # public
        ("100.64.0.1", OUTSIDE),  # CGNAT: private to Core Servers, not a default camera network
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "metadata"),
    ]:
        with pytest.raises(AddressRefused, match=why):
            lan_policy().resolve(refused, 80)
    settings.LAN_ALLOWED_NETWORKS = ["10.20.0.0/16", "203.0.113.0/28"]
    assert lan_policy().resolve("10.20.3.4", 80) and lan_policy().resolve("203.0.113.7", 80)
    for refused in ("10.21.0.1", "192.168.1.20", "::ffff:192.168.1.20", "127.0.0.1"):
        with pytest.raises(AddressRefused):
            lan_policy().resolve(refused, 80)
    # Loopback is the switch's alone: listed or not, metadata never.
    settings.LAN_ALLOWED_NETWORKS = ["127.0.0.0/8", "169.254.0.0/16"]
    for refused in ("127.0.0.1", "169.254.169.254"):
        with pytest.raises(AddressRefused):
            lan_policy().resolve(refused, 80)
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True
    settings.LAN_ALLOWED_NETWORKS = []
    assert lan_policy().resolve("127.0.0.1", 8910)  # the demo's simulated cameras
    with pytest.raises(AddressRefused, match=OUTSIDE):
        lan_policy().resolve("192.168.1.20", 80)
    with pytest.raises(ValueError, match="10.0.0.1/8"):
        parse_networks(["10.0.0.1/8"])


def test_it_refuses_to_add_a_device_outside_the_allowed_networks(client_of, olga, acme, settings):
    settings.LAN_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    form = {
        "lan_host": "192.168.77.5",
        "lan_port": 80,
        "lan_use_https": "false",
        "lan_username": "admin",
        "lan_password": "probing",
        "lan_status_interval_ms": 5000,
        "lan_timeout_ms": 3000,
    }
    response = client_of(olga).post(add_url(), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Failed while connecting" in page and "192.168.77.5" in page and OUTSIDE in page
    assert not Device.objects.filter(partner=acme).exists()
    entry = AuditEntry.objects.get(action="device.lan_add", user=olga)
    assert entry.result == ItemResult.ERROR and OUTSIDE in entry.message
    assert entry.params["lan_host"] == "192.168.77.5" and "probing" not in str(entry.params)


def test_it_refuses_a_name_that_resolves_to_loopback_and_sends_it_nothing(client_of, olga, acme, settings, names):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False  # production
    with listening(answering(b"[]")) as console_service:
        names["camera.site.test"] = "127.0.0.1"
        form = {**add_form_at("camera.site.test", console_service.port), "lan_password": "probing"}
        page = client_of(olga).post(add_url(), form).content.decode()
        assert "Failed while connecting" in page and "loopback" in page
        assert console_service.received == []  # not even a connection
    assert not Device.objects.filter(partner=acme).exists()
    assert AuditEntry.objects.filter(action="device.lan_add", user=olga, result=ItemResult.ERROR).exists()


def test_it_refuses_to_move_a_device_outside_the_allowed_networks(client_of, olga, lan, devs, lan_camera, settings):
    settings.LAN_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    url = reverse("lan_device_settings", kwargs={"slug": "acme", "uid": lan_camera.uid})
    moved = add_form(lan, devs["camera"], lan_host="192.168.77.5", lan_port=80, lan_password=DEMO_PASSWORD)
    response = client_of(olga).post(url, moved)
    assert response.status_code == 200 and OUTSIDE in response.content.decode()
    lan_camera.refresh_from_db()
    assert lan_camera.lan_host == "127.0.0.1"
    entry = AuditEntry.objects.get(action="device.lan_settings", target_label=lan_camera.uid)
    assert entry.result == ItemResult.ERROR and OUTSIDE in entry.message


def test_it_checks_a_names_address_again_at_every_connection(client_of, olga, lan, devs, settings, names):
    settings.LAN_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    names["camera.site.test"] = "127.0.0.1"  # the demo's switch allows loopback
    camera = add_device(client_of(olga), lan, devs["camera"], lan_host="camera.site.test")
    assert camera.lan_host == "camera.site.test"
    # The name now answers an address outside the allowed networks: a bulk refresh is refused.
    names["camera.site.test"] = "192.168.50.5"
    got = results(start(client_of(olga), "refresh", {"camera": camera}))
    result, message = got[camera.uid]
    assert result != ItemResult.OK and OUTSIDE in message and "192.168.50.5" in message
    # Rebound to loopback where the installation does not allow it: refused too.
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    names["camera.site.test"] = "127.0.0.1"
    result, message = results(start(client_of(olga), "refresh", {"camera": camera}))[camera.uid]
    assert result != ItemResult.OK and "loopback" in message


def add_form_at(host: str, port: int) -> dict[str, object]:
    return {
        "lan_host": host,
        "lan_port": port,
        "lan_use_https": "false",
        "lan_username": "admin",
        "lan_password": "",
        "lan_status_interval_ms": 5000,
        "lan_timeout_ms": 3000,
    }
