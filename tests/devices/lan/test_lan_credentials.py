"""A LAN device's stored password goes only to the address it was checked with: moving a
device (address, port or protocol) needs the password again. Every refused or failed add and
settings change is audited, whatever answers at an address gets a message in its own words
(never a 500), and one partner's wrong passwords do not make the console refuse another's camera."""

from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEntry
from devices.lan_devices import PASSWORD_AGAIN
from devices.models import Device
from ropsim.lan import DEMO_PASSWORD

from .conftest import add_form, add_url
from .listeners import answering, listening

NOT_THE_API = "The device did not answer as a Reolink LAN API does"


def settings_url(device):
    return reverse("lan_device_settings", kwargs={"slug": "acme", "uid": device.uid})


def moved_to(listener, **overrides):
    data = {
        "lan_host": "127.0.0.1",
        "lan_port": listener.port,
        "lan_use_https": "false",
        "lan_username": "admin",
        "lan_password": "",
        "lan_status_interval_ms": 5000,
        "lan_timeout_ms": 3000,
    }
    data.update(overrides)
    return data


def test_it_sends_the_stored_password_to_no_other_address(client_of, olga, lan_camera):
    with listening(answering(b"[]")) as elsewhere:
        response = client_of(olga).post(settings_url(lan_camera), moved_to(elsewhere))
        assert response.status_code == 200
        assert escape(PASSWORD_AGAIN) in response.content.decode()
        assert elsewhere.received == []  # not even a connection
        # With a password typed, only that password leaves; never the stored one.
        client_of(olga).post(settings_url(lan_camera), moved_to(elsewhere, lan_password="typed-just-now"))
        assert b"typed-just-now" in elsewhere.everything
        assert DEMO_PASSWORD.encode() not in elsewhere.everything
    stored = Device.objects.get(id=lan_camera.id)
    assert (stored.lan_host, stored.lan_port, stored.lan_password) == (
        lan_camera.lan_host,
        lan_camera.lan_port,
        DEMO_PASSWORD,
    )
    entries = AuditEntry.objects.filter(action="device.lan_settings", user=olga, target_label=lan_camera.uid)
    assert entries.count() == 2 and set(entries.values_list("result", flat=True)) == {"error"}
    assert all(DEMO_PASSWORD not in str(e.params) + e.message for e in entries)


def test_it_asks_for_the_password_again_for_another_port_or_protocol(client_of, olga, lan, devs, lan_camera):
    client = client_of(olga)
    for change in ({"lan_port": lan_camera.lan_port + 1}, {"lan_use_https": "true"}):
        page = client.post(settings_url(lan_camera), add_form(lan, devs["camera"], lan_password="", **change))
        assert escape(PASSWORD_AGAIN) in page.content.decode()
    # The same place (the address's case aside) keeps the stored password, as before.
    same = add_form(lan, devs["camera"], lan_password="", lan_host=lan_camera.lan_host.upper(), lan_timeout_ms=3000)
    assert client.post(settings_url(lan_camera), same).status_code == 302


def test_it_answers_a_form_error_not_a_500_when_an_address_answers_an_empty_list(client_of, olga, acme):
    with listening(answering(b"[]")) as odd:
        page = client_of(olga).post(add_url(), moved_to(odd, lan_password="pass-word-1"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Failed while logging in: {NOT_THE_API}" in text and "without the LAN API&#x27;s JSON" in text
    assert not Device.objects.filter(partner=acme).exists()
    entry = AuditEntry.objects.get(action="device.lan_add", user=olga)
    assert entry.result == "error" and NOT_THE_API in entry.message and "pass-word-1" not in str(entry.params)


def test_it_answers_a_form_error_when_a_new_address_answers_a_web_page(client_of, olga, lan_camera):
    with listening(answering(b"<html><body>Router login</body></html>", "text/html")) as router:
        page = client_of(olga).post(settings_url(lan_camera), moved_to(router, lan_password="pass-word-1"))
    assert page.status_code == 200 and NOT_THE_API in page.content.decode()
    entry = AuditEntry.objects.get(action="device.lan_settings", target_label=lan_camera.uid, result="error")
    assert NOT_THE_API in entry.message
    lan_camera.refresh_from_db()
    assert lan_camera.lan_port != router.port


def test_it_audits_a_refused_add_form_without_the_password(client_of, olga, lan, devs, acme):
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"], lan_status_interval_ms=500))
    assert page.status_code == 200
    entry = AuditEntry.objects.get(action="device.lan_add", user=olga)
    assert entry.result == "error" and "Status interval" in entry.message
    assert entry.params["lan_status_interval_ms"] == "500" and "lan_password" not in entry.params


def test_it_audits_an_add_refused_as_a_duplicate(client_of, olga, lan, devs, lan_camera):
    client_of(olga).post(add_url(), add_form(lan, devs["camera"]))
    assert AuditEntry.objects.filter(action="device.lan_add", result="error", message__contains="already").exists()


def test_it_keeps_one_partners_wrong_passwords_from_refusing_anothers_camera(
    client_of, olga, bob, lan, devs, acme, bolt
):
    bolt_add = reverse("lan_device_add", kwargs={"slug": "bolt"})
    for _ in range(3):
        page = client_of(bob).post(bolt_add, add_form(lan, devs["camera"], lan_password="wrong")).content.decode()
        assert "The device refused the user name or password." in page
    page = client_of(bob).post(bolt_add, add_form(lan, devs["camera"])).content.decode()
    assert "waits up to 5 minutes" in page  # Bolt's own guard holds
    response = client_of(olga).post(add_url(), add_form(lan, devs["camera"]))
    assert response.status_code == 302 and Device.objects.filter(partner=acme, uid=devs["camera"].uid).exists()
