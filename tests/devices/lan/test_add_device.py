"""Adding a LAN device: the console logs in, reads what the device is, shows it, and
says which step failed and why when it cannot (unreachable, bad credentials, locked,
refused address). Editing its settings and removing it."""

import socket

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Channel, Device, Transport
from rop.addresses import AddressPolicy
from rop.lan import LanAuthFailed, LanClient

from .conftest import add_device, add_form, add_url


def test_it_adds_a_camera_with_good_credentials(client_of, olga, lan, devs, acme):
    client = client_of(olga)
    response = client.post(add_url(), add_form(lan, devs["camera"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    device = Device.objects.get(partner=acme)
    # The device's own UID (GetP2p), its model, firmware and one channel.
    assert device.uid == devs["camera"].uid and device.transport == Transport.LAN
    assert device.model == "RLC-823A" and device.firmware_version.startswith("v")
    assert device.channel_count == 1 and device.online
    assert {"ptz", "spotlight", "siren", "ai"} <= set(device.capabilities)
    assert "RLC-823A" in page and device.firmware_version in page and device.uid in page
    assert AuditEntry.objects.filter(action="device.lan_add", target_label=device.uid, result="ok").exists()


def test_it_keeps_the_password_encrypted_and_never_shows_it(client_of, olga, lan, devs, lan_camera):
    with connection.cursor() as cursor:
        cursor.execute("SELECT lan_password FROM devices_device WHERE id = %s", [lan_camera.id])
        stored = cursor.fetchone()[0]
    assert stored and "ropsim-demo-1" not in stored
    assert Device.objects.get(id=lan_camera.id).lan_password == "ropsim-demo-1"
    client = client_of(olga)
    for url in (
        reverse("device_detail", kwargs={"slug": "acme", "uid": lan_camera.uid}),
        reverse("lan_device_settings", kwargs={"slug": "acme", "uid": lan_camera.uid}),
    ):
        assert "ropsim-demo-1" not in client.get(url).content.decode()
    assert not AuditEntry.objects.filter(params__icontains="ropsim-demo-1").exists()


def test_it_adds_an_nvr_with_its_channels_named_and_online(client_of, olga, lan, devs):
    device = add_device(client_of(olga), lan, devs["nvr"])
    channels = list(Channel.objects.filter(device=device))
    assert device.channel_count == 8 and [c.index for c in channels] == list(range(8))
    assert all(c.online for c in channels) and channels[0].name.endswith("CH01")
    page = client_of(olga).get(reverse("device_detail", kwargs={"slug": "acme", "uid": device.uid})).content.decode()
    assert channels[7].name in page


def test_it_says_which_step_failed_with_bad_credentials(client_of, olga, lan, devs, acme):
    response = client_of(olga).post(add_url(), add_form(lan, devs["camera"], lan_password="wrong"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Failed while logging in: The device refused the user name or password." in page
    assert not Device.objects.filter(partner=acme).exists()
    assert AuditEntry.objects.filter(action="device.lan_add", result="error").exists()


def test_it_says_when_the_device_locked_its_logins(client_of, olga, lan, devs, acme):
    ep = lan.endpoint(devs["camera"].uid)
    policy = AddressPolicy.for_lan(allow_loopback=True)
    for _ in range(5):  # the device's own lockout: five failures from anywhere
        bad = LanClient(ep.host, ep.port, password="nope", address_policy=policy, login_backoff=0)
        with pytest.raises(LanAuthFailed):
            bad.login()
        bad.close()
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"])).content.decode()
    assert "Failed while logging in: The device locked its logins after too many failures" in page
    assert not Device.objects.filter(partner=acme).exists()


def test_it_says_when_the_device_is_unreachable(client_of, olga, lan, devs):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"], lan_port=port)).content.decode()
    assert "Failed while connecting: The device cannot be reached" in page


def test_it_refuses_loopback_unless_the_installation_allows_it(client_of, olga, lan, devs, settings, acme):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = False
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"])).content.decode()
    assert "Failed while connecting" in page and "loopback" in page.lower()
    assert not Device.objects.filter(partner=acme).exists()


def test_it_refuses_a_status_interval_below_two_seconds(client_of, olga, lan, devs, acme):
    response = client_of(olga).post(add_url(), add_form(lan, devs["camera"], lan_status_interval_ms=1999))
    assert response.status_code == 200
    assert "2000" in response.content.decode()
    assert not Device.objects.filter(partner=acme).exists()


def test_it_offers_defaults_of_port_80_five_seconds_and_eight_seconds(client_of, olga):
    page = client_of(olga).get(add_url()).content.decode()
    assert 'name="lan_port" value="80"' in page
    assert 'name="lan_status_interval_ms" value="5000"' in page and 'name="lan_timeout_ms" value="8000"' in page


def test_it_forbids_viewers_to_add_a_device(client_of, victor, lan, devs, acme):
    assert client_of(victor).get(add_url()).status_code == 403
    assert client_of(victor).post(add_url(), add_form(lan, devs["camera"])).status_code == 403
    assert not Device.objects.filter(partner=acme).exists()


def test_it_moves_a_camera_the_core_server_lists_to_the_lan(client_of, olga, lan, devs, acme):
    rop_row = Device.objects.create(partner=acme, uid=devs["camera"].uid, display_name="Gate", model="RLC-823A")
    device = add_device(client_of(olga), lan, devs["camera"])
    assert device.id == rop_row.id and device.transport == Transport.LAN and device.display_name == "Gate"


def test_it_refuses_to_add_the_same_lan_device_twice(client_of, olga, lan, devs, lan_camera):
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"])).content.decode()
    assert "already in the console" in page
    assert Device.objects.filter(uid=lan_camera.uid).count() == 1


def test_it_keeps_the_password_when_settings_are_saved_without_one(client_of, olga, lan, devs, lan_camera):
    url = reverse("lan_device_settings", kwargs={"slug": "acme", "uid": lan_camera.uid})
    response = client_of(olga).post(url, add_form(lan, devs["camera"], lan_password="", lan_timeout_ms=3000))
    assert response.status_code == 302
    lan_camera.refresh_from_db()
    assert lan_camera.lan_timeout_ms == 3000 and lan_camera.lan_password == "ropsim-demo-1"


def test_it_does_not_save_settings_the_device_refuses(client_of, olga, lan, devs, lan_camera):
    url = reverse("lan_device_settings", kwargs={"slug": "acme", "uid": lan_camera.uid})
    response = client_of(olga).post(url, add_form(lan, devs["camera"], lan_password="wrong"), follow=True)
    assert "The device refused the user name or password." in response.content.decode()
    lan_camera.refresh_from_db()
    assert lan_camera.lan_password == "ropsim-demo-1"


def test_it_removes_a_device_only_once_confirmed(client_of, olga, lan_camera):
    url = reverse("lan_device_remove", kwargs={"slug": "acme", "uid": lan_camera.uid})
    client = client_of(olga)
    client.post(url, {})
    assert Device.objects.filter(id=lan_camera.id).exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert not Device.objects.filter(id=lan_camera.id).exists()
    assert not Channel.objects.filter(device_id=lan_camera.id).exists()
    assert AuditEntry.objects.filter(action="device.lan_remove", target_label=lan_camera.uid).exists()


def test_it_answers_404_for_lan_pages_of_a_core_server_device(client_of, olga, acme_camera):
    url = reverse("lan_device_settings", kwargs={"slug": "acme", "uid": acme_camera.uid})
    assert client_of(olga).get(url).status_code == 404


def test_it_shows_a_lan_devices_own_sections_not_the_core_servers(client_of, olga, lan_camera):
    page = client_of(olga).get(reverse("device_detail", kwargs={"slug": "acme", "uid": lan_camera.uid})).content
    text = page.decode()
    assert 'id="lan-connection"' in text and 'id="lan-channels"' in text and 'id="device-commands"' in text
    assert 'id="alarm-control"' not in text and 'id="live-heading"' not in text and 'id="name-heading"' not in text
    assert "LAN JSON API" in text


def test_it_stops_asking_before_the_device_locks_itself(client_of, olga, lan, devs):
    client = client_of(olga)
    state = lan.state(devs["camera"].uid)
    for _ in range(3):
        page = client.post(add_url(), add_form(lan, devs["camera"], lan_password="wrong")).content.decode()
        assert "The device refused the user name or password." in page
    logins = list(state.commands_seen).count("Login")
    # The fourth attempt is refused by the console itself: the device saw three failures, not five.
    page = client.post(add_url(), add_form(lan, devs["camera"])).content.decode()
    assert "waits up to 5 minutes before trying again, so that the device does not lock itself" in page
    assert list(state.commands_seen).count("Login") == logins
    assert state.guard.remaining() == 0  # not locked


def test_it_says_when_tls_fails(client_of, olga, lan, devs):
    page = client_of(olga).post(add_url(), add_form(lan, devs["camera"], lan_use_https="true")).content.decode()
    assert "Failed while connecting: The device cannot be reached: Could not open TLS" in page
