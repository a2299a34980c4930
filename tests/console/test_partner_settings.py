import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from partners.models import Partner

# The form resolves the Core Server's name: rop.acme.example answers a public address.
pytestmark = pytest.mark.usefixtures("fake_dns")


def settings_url(slug="acme"):
    return reverse("partner_settings", kwargs={"slug": slug})


def form_data(**changes):
    data = {
        "name": "Acme Security",
        "rop_base_url": "https://rop.acme.example",
        "gateway_auth_header": "Authorization",
        "request_budget": "15",
        "powered_poll_seconds": "300",
        "battery_poll_seconds": "21600",
        "health_retention_days": "30",
    }
    data.update(changes)
    return data


def test_it_saves_the_core_server_settings(client_of, alice, acme):
    response = client_of(alice).post(settings_url(), form_data(new_gateway_token="s3cret-token"))
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.rop_base_url == "https://rop.acme.example"
    assert acme.request_budget == 15
    assert acme.gateway_token == "s3cret-token"


def test_it_saves_the_poll_intervals_and_the_retention(client_of, alice, acme):
    changes = {"powered_poll_seconds": "120", "battery_poll_seconds": "7200", "health_retention_days": "7"}
    response = client_of(alice).post(settings_url(), form_data(**changes))
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.powered_poll_seconds, acme.battery_poll_seconds, acme.health_retention_days) == (120, 7200, 7)


def test_it_shows_the_poll_intervals(client_of, alice, acme):
    content = client_of(alice).get(settings_url()).content.decode()
    for name in ("powered_poll_seconds", "battery_poll_seconds", "health_retention_days"):
        assert f'name="{name}"' in content


def test_it_refuses_a_battery_interval_that_would_drain_cameras(client_of, alice, acme):
    response = client_of(alice).post(settings_url(), form_data(battery_poll_seconds="60"))
    assert response.status_code == 200
    acme.refresh_from_db()
    assert acme.battery_poll_seconds == 6 * 3600


def test_it_stores_the_gateway_token_encrypted(client_of, alice, acme):
    client_of(alice).post(settings_url(), form_data(new_gateway_token="s3cret-token"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT gateway_token, webhook_secret FROM partners_partner WHERE id = %s", [acme.id])
        stored_token, stored_secret = cursor.fetchone()
    assert "s3cret-token" not in stored_token
    assert acme.webhook_secret not in stored_secret
    assert Partner.objects.get(id=acme.id).gateway_token == "s3cret-token"


def test_it_never_shows_the_token_back(client_of, alice, acme):
    acme.gateway_token = "s3cret-token"
    acme.save()
    response = client_of(alice).get(settings_url())
    assert b"s3cret-token" not in response.content
    assert b"A token is stored" in response.content


def test_it_keeps_the_token_when_the_field_is_left_blank(client_of, alice, acme):
    acme.gateway_token = "s3cret-token"
    acme.save()
    client_of(alice).post(settings_url(), form_data())
    acme.refresh_from_db()
    assert acme.gateway_token == "s3cret-token"


def test_it_audits_the_change_without_the_secret(client_of, alice, acme):
    client_of(alice).post(settings_url(), form_data(new_gateway_token="s3cret-token"))
    entry = AuditEntry.objects.get(partner=acme, action="partner.settings")
    assert entry.user == alice
    assert entry.params["gateway_token_replaced"] is True
    assert "s3cret-token" not in str(entry.params)


def test_it_shows_field_errors(client_of, alice, acme):
    response = client_of(alice).post(settings_url(), form_data(rop_base_url="not a url", request_budget="0"))
    assert response.status_code == 200
    assert b"Enter a valid URL." in response.content
    assert b"greater than or equal to 0.1" in response.content


def test_it_shows_the_webhook_url_with_the_secret(client_of, alice, acme):
    response = client_of(alice).get(settings_url())
    assert f"/hooks/alarms/acme/?authcode={acme.webhook_secret}".encode() in response.content


def test_it_rotates_the_webhook_secret(client_of, alice, acme):
    old = acme.webhook_secret
    client_of(alice).post(reverse("rotate_webhook_secret", kwargs={"slug": "acme"}))
    acme.refresh_from_db()
    assert acme.webhook_secret != old
    assert AuditEntry.objects.filter(partner=acme, action="partner.webhook_secret_rotated").exists()


def test_it_requires_the_admin_role(client_of, olga, acme):
    client = client_of(olga)
    assert client.get(settings_url()).status_code == 403
    assert client.post(settings_url(), form_data()).status_code == 403
