"""HTTPS LAN devices: the certificate is pinned on first use; a changed one is refused
with a clear message on the device page until an operator trusts it (audited, after
confirming the new fingerprint shown to them)."""

from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Device

from .conftest import add_device


def page_url(device):
    return reverse("device_detail", kwargs={"slug": "acme", "uid": device.uid})


def cert_url(device):
    return reverse("lan_certificate", kwargs={"slug": "acme", "uid": device.uid})


def refresh_url(device):
    return reverse("device_refresh", kwargs={"slug": "acme", "uid": device.uid})


def test_it_pins_the_certificate_seen_when_the_device_is_added(client_of, olga, lan_https, devs):
    device = add_device(client_of(olga), lan_https, devs["camera"])
    assert device.lan_use_https
    assert device.lan_cert_sha256 == lan_https.endpoint(devs["camera"].uid).cert_sha256


def test_it_refuses_a_changed_certificate_until_an_operator_trusts_it(client_of, olga, lan_https, devs):
    client = client_of(olga)
    device = add_device(client, lan_https, devs["camera"])
    old = device.lan_cert_sha256
    new = lan_https.rotate_certificate(devs["camera"].uid)
    assert new != old

    # A command is refused before anything is sent, and says why.
    answer = client.post(refresh_url(device), HTTP_HX_REQUEST="true").content.decode()
    assert "different TLS certificate" in answer and new in answer
    device.refresh_from_db()
    assert device.lan_cert_sha256 == old and device.last_poll_error == "certificate_changed"
    page = client.get(page_url(device)).content.decode()
    assert "presented a different certificate" in page

    # The page shows the new fingerprint next to the pinned one.
    check = client.get(cert_url(device), HTTP_HX_REQUEST="true").content.decode()
    assert new in check and "Trust the new certificate" in check

    # Not confirmed: nothing changes.
    refused = client.post(cert_url(device), {"fingerprint": new}, HTTP_HX_REQUEST="true").content.decode()
    assert "Tick the box" in refused
    device.refresh_from_db()
    assert device.lan_cert_sha256 == old

    trusted = client.post(cert_url(device), {"fingerprint": new, "confirm": "1"}, HTTP_HX_REQUEST="true")
    assert "The new certificate is trusted" in trusted.content.decode()
    device.refresh_from_db()
    assert device.lan_cert_sha256 == new and device.last_poll_error == "" and device.online
    entry = AuditEntry.objects.get(action="device.lan_trust_certificate")
    assert entry.user is not None and entry.user.username == "olga" and entry.params == {"from": old, "to": new}
    ok = client.post(refresh_url(device), HTTP_HX_REQUEST="true").content.decode()
    assert "Refreshed" in ok


def test_it_refuses_to_trust_a_fingerprint_the_device_does_not_present(client_of, olga, lan_https, devs):
    client = client_of(olga)
    device = add_device(client, lan_https, devs["camera"])
    lan_https.rotate_certificate(devs["camera"].uid)
    forged = "ab" * 32
    answer = client.post(cert_url(device), {"fingerprint": forged, "confirm": "1"}, HTTP_HX_REQUEST="true")
    assert "different TLS certificate" in answer.content.decode()
    assert Device.objects.get(id=device.id).lan_cert_sha256 != forged


def test_it_lets_viewers_see_but_not_trust_a_certificate(client_of, olga, victor, lan_https, devs):
    device = add_device(client_of(olga), lan_https, devs["camera"])
    new = lan_https.rotate_certificate(devs["camera"].uid)
    viewer = client_of(victor)
    assert new in viewer.get(cert_url(device), HTTP_HX_REQUEST="true").content.decode()
    assert viewer.post(cert_url(device), {"fingerprint": new, "confirm": "1"}).status_code == 403


def test_it_records_a_changed_certificate_met_by_any_command(client_of, olga, lan_https, devs):
    client = client_of(olga)
    device = add_device(client, lan_https, devs["camera"])
    lan_https.rotate_certificate(devs["camera"].uid)
    url = reverse("device_command_siren", kwargs={"slug": "acme", "uid": device.uid})
    answer = client.post(url, {"channel": 0}, HTTP_HX_REQUEST="true").content.decode()
    assert "different TLS certificate" in answer
    assert lan_https.state(device.uid).channels[0].siren_plays == 0  # nothing was sent
    device.refresh_from_db()
    assert device.last_poll_error == "certificate_changed"
