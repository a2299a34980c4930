"""Outbound-request safety in the console: the partner settings form refuses Core Server
URLs that are, or resolve to, addresses the installation does not allow and gateway
header names that steer the connection; a name rebound after the form's check is
refused when the console connects; snapshots reach the browser only as bounded JPEGs.

Names under .example resolve as the test says (the fake_dns fixture, at the operating
system's resolver); everything else is real: ropsim over HTTP, the console's client.
"""

import io
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from devices import device_reads
from partners import rop_clients
from partners.models import Partner
from rop import errors as rop_errors
from ropsim.testing import RunningSim
from tests.devices.device_page_tools import htmx, page_device, url
from tests.devices.simtools import control


def settings_url(slug="acme"):
    return reverse("partner_settings", kwargs={"slug": slug})


def form_data(**changes):
    data = {
        "name": "Acme Security",
        "rop_base_url": "https://rop.acme.example",
        "gateway_auth_header": "Authorization",
        "request_budget": "500",
        "powered_poll_seconds": "300",
        "battery_poll_seconds": "21600",
        "health_retention_days": "30",
    }
    data.update(changes)
    return data


def post_url(client, rop_base_url, **changes):
    return client.post(settings_url(), form_data(rop_base_url=rop_base_url, **changes))


def snapshots_taken(sim):
    counters = control(sim, "GET", "/counters")
    return sum(entry["count"] for route, entry in counters.items() if "snapshot.jpg" in route)


def sim_port(sim: RunningSim) -> int:
    port = urlsplit(sim.base_url).port
    assert port is not None
    return port


@pytest.fixture
def no_loopback(settings):
    """The production default: neither loopback nor private networks."""
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    settings.ROP_ALLOW_PRIVATE_ADDRESSES = False


# --- the Core Server URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rop_base_url", "answers", "why"),
    [
        ("http://10.0.0.5:61009", (), "a private network address"),
        ("http://169.254.169.254/latest/meta-data", (), "a cloud metadata address"),
        ("http://127.0.0.1:6379", (), "a loopback address"),
        ("http://[::1]:8900", (), "a loopback address"),
        ("http://[::ffff:127.0.0.1]:8900", (), "a loopback address"),
        ("http://[fd00:ec2::254]", (), "a cloud metadata address"),
        ("http://rop.private.example", ("10.1.2.3",), "a private network address"),
        ("http://rop.metadata.example", ("169.254.169.254",), "a cloud metadata address"),
        ("http://rop.ula.example", ("fd00::5",), "a private network address"),
        ("http://rop.mapped.example", ("::ffff:127.0.0.1",), "a loopback address"),
        ("http://rop.mixed.example", ("93.184.215.14", "192.168.0.9"), "a private network address"),
    ],
)
def test_it_refuses_a_core_server_url_resolving_to_a_forbidden_address(
    client_of, alice, acme, fake_dns, no_loopback, rop_base_url, answers, why
):
    host = urlsplit(rop_base_url).hostname
    if answers:
        fake_dns.answer(host, *answers)
    response = post_url(client_of(alice), rop_base_url)
    assert response.status_code == 200
    assert why in response.content.decode()
    assert "ask the installation" in response.content.decode()
    assert Partner.objects.get(pk=acme.pk).rop_base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("rop_base_url", "message"),
    [
        ("https://admin:secret@rop.acme.example", "must not contain a user name or password"),
        ("https://rop.acme.example/?debug=1", "must not have a query"),
        ("https://rop.acme.example/#top", "must not have a query"),
        ("ftp://rop.acme.example", "must start with http:// or https://"),  # the model field allows ftp
    ],
)
def test_it_refuses_a_core_server_url_with_credentials_query_fragment_or_another_scheme(
    client_of, alice, acme, fake_dns, rop_base_url, message
):
    response = post_url(client_of(alice), rop_base_url)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Partner.objects.get(pk=acme.pk).rop_base_url == "http://127.0.0.1:9"


def test_it_refuses_a_name_that_does_not_resolve(client_of, alice, acme, fake_dns):
    fake_dns.answer("rop.gone.example")
    response = post_url(client_of(alice), "https://rop.gone.example")
    assert response.status_code == 200
    assert "The host rop.gone.example does not resolve to an address." in response.content.decode()


def test_it_saves_other_settings_while_the_unchanged_core_server_name_does_not_resolve(
    client_of, alice, acme, fake_dns
):
    Partner.objects.filter(pk=acme.pk).update(rop_base_url="https://rop.down.example")
    fake_dns.answer("rop.down.example")
    response = post_url(client_of(alice), "https://rop.down.example", powered_poll_seconds="600")
    assert response.status_code == 302
    assert Partner.objects.get(pk=acme.pk).powered_poll_seconds == 600


def test_it_saves_a_name_resolving_to_a_public_address(client_of, alice, acme, fake_dns, no_loopback):
    fake_dns.answer("rop.public.example", "93.184.215.14", "2606:4700:4700::1111")
    assert post_url(client_of(alice), "https://rop.public.example:8443/gateway").status_code == 302
    assert Partner.objects.get(pk=acme.pk).rop_base_url == "https://rop.public.example:8443/gateway"


def test_it_lets_the_operator_allow_loopback_or_private_networks_but_never_metadata(
    client_of, alice, acme, settings, no_loopback
):
    client = client_of(alice)
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True
    assert post_url(client, "http://127.0.0.1:8900").status_code == 302
    assert post_url(client, "http://10.0.0.5:61009").status_code == 200
    settings.ROP_ALLOW_PRIVATE_ADDRESSES = True
    assert post_url(client, "http://10.0.0.5:61009").status_code == 302
    assert Partner.objects.get(pk=acme.pk).rop_base_url == "http://10.0.0.5:61009"
    refused = post_url(client, "http://169.254.169.254")
    assert refused.status_code == 200 and "a cloud metadata address" in refused.content.decode()


# --- the gateway header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Host",
        "Connection",
        "Keep-Alive",
        "Proxy-Authorization",
        "proxy-connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Content-Length",
        "X-Api Key",
        "X-Api-Key:",
        "X-Ápi-Key",
    ],
)
def test_it_refuses_gateway_header_names_that_steer_the_connection(client_of, alice, acme, fake_dns, header):
    response = post_url(client_of(alice), "https://rop.acme.example", gateway_auth_header=header)
    assert response.status_code == 200
    content = response.content.decode()
    assert "cannot carry the gateway token" in content or "A header name is letters, digits and dashes" in content
    assert Partner.objects.get(pk=acme.pk).gateway_auth_header == "Authorization"


def test_it_saves_a_custom_gateway_header(client_of, alice, acme, fake_dns):
    assert post_url(client_of(alice), "https://rop.acme.example", gateway_auth_header="X-Api-Key").status_code == 302
    assert Partner.objects.get(pk=acme.pk).gateway_auth_header == "X-Api-Key"


# --- connections: loopback allowed by the setting, rebinding refused ----------------------


def test_it_connects_through_the_checked_address_and_refuses_a_rebound_name(
    sim, acme_on_sim, client_of, alice, victor, fake_dns, settings
):
    """The partner's Core Server is rop.rebind.example: it answers a public address while
    the admin saves it, then the console's own machine (where ropsim, or Redis, listens)."""
    device = page_device(sim, acme_on_sim, battery=False)
    base_url = f"http://rop.rebind.example:{sim_port(sim)}"
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    assert post_url(client_of(alice), base_url).status_code == 302
    assert Partner.objects.get(pk=acme_on_sim.pk).rop_base_url == base_url

    fake_dns.answer("rop.rebind.example", "127.0.0.1")
    query = {"channel": 0, "stream": "subStream"}
    before = snapshots_taken(sim)
    viewer = client_of(victor)
    html = htmx(viewer).get(url("device_snapshot", device), query).content.decode()
    assert "is a loopback address (this machine)" in html and "<img" not in html
    image = viewer.get(url("device_snapshot_image", device, **query))
    assert image.status_code == 404 and image["Content-Type"].startswith("text/plain")
    assert b"loopback" in image.content
    assert snapshots_taken(sim) == before  # nothing reached the machine behind the name

    # The installation's operator allows loopback (as the demo and this suite do): the
    # same name now reaches ropsim, through the address the policy resolved and checked.
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True
    image = viewer.get(url("device_snapshot_image", device, **query))
    assert image.status_code == 200 and image.content.startswith(b"\xff\xd8\xff")
    assert snapshots_taken(sim) == before + 1


# --- snapshots --------------------------------------------------------------------------------


def test_it_passes_on_nothing_but_a_jpeg(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    control(
        sim,
        "POST",
        "/inject",
        json={
            "path": "/v1.0/devices/{uid}/snap/snapshot.jpg",
            "status": 200,
            "body": "root:x:0:0:root:/root:/bin/sh",
            "count": 2,
        },
    )
    query = {"channel": 0, "stream": "subStream"}
    client = client_of(victor)
    html = htmx(client).get(url("device_snapshot", device), query).content.decode()
    assert "The camera&#x27;s snapshot was refused: the answer is not a JPEG image." in html
    assert "<img" not in html
    image = client.get(url("device_snapshot_image", device, **query))
    assert image.status_code == 404 and image["Content-Type"].startswith("text/plain")
    assert b"root:" not in image.content and b"not a JPEG" in image.content


def test_it_refuses_a_snapshot_larger_than_the_setting(sim, acme_on_sim, client_of, victor, settings):
    settings.SNAPSHOT_MAX_BYTES = 2000  # ropsim's pictures are larger
    device = page_device(sim, acme_on_sim, battery=False)
    query = {"channel": 0, "stream": "subStream"}
    client = client_of(victor)
    html = htmx(client).get(url("device_snapshot", device), query).content.decode()
    assert "the answer is larger than 2,000 bytes" in html and "<img" not in html
    image = client.get(url("device_snapshot_image", device, **query))
    assert image.status_code == 404 and b"\xff\xd8" not in image.content


def test_it_checks_the_jpeg_beyond_its_first_bytes():
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "JPEG")
    assert device_reads.is_jpeg(picture.getvalue())
    assert not device_reads.is_jpeg(b"\xff\xd8\xff\xe0" + b"not really a picture" * 20)
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    assert not device_reads.is_jpeg(png.getvalue())


# --- LAN cameras (issue 11 builds on this policy) -----------------------------------------


def test_it_gives_lan_cameras_private_networks_and_loopback_only_when_allowed(settings):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    assert rop_clients.lan_policy().resolve("192.168.1.20", 80)
    assert rop_clients.lan_policy().resolve("fd12:3456::20", 443)
    for refused in ("127.0.0.1", "169.254.169.254", "[fd00:ec2::254]", "224.0.0.251"):
        with pytest.raises(rop_errors.AddressRefused, match="The address of the camera"):
            rop_clients.lan_policy().resolve(refused, 80)
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True
    assert rop_clients.lan_policy().resolve("127.0.0.1", 8910)
    with pytest.raises(rop_errors.AddressRefused, match="private network"):
        rop_clients.core_server_policy().resolve("192.168.1.20", 80)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rop_base_url", "http://user:secret@rop.acme.example"),
        ("rop_base_url", "http://rop.acme.example/?x=1"),
        ("rop_base_url", "ftp://rop.acme.example"),
        ("gateway_auth_header", "Host"),
        ("gateway_auth_header", "Transfer-Encoding"),
    ],
)
def test_it_refuses_what_the_client_refuses_on_every_save_path(acme, field, value):
    # The admin saves through the model's validators, not the settings form.
    setattr(acme, field, value)
    with pytest.raises(ValidationError) as refused:
        acme.full_clean()
    assert field in refused.value.message_dict
