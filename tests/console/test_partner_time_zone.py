"""The partner's time zone (a rollout's maintenance window is in it), on the settings page."""

import pytest

from partners.models import Partner

from .test_partner_settings import form_data, settings_url

pytestmark = pytest.mark.usefixtures("fake_dns")


def test_it_saves_a_time_zone_and_keeps_it_when_the_form_sends_none(client_of, alice, acme):
    client = client_of(alice)
    assert client.post(settings_url(), form_data(time_zone="Europe/Berlin")).status_code == 302
    assert Partner.objects.get(id=acme.id).time_zone == "Europe/Berlin"
    assert client.post(settings_url(), form_data()).status_code == 302
    assert Partner.objects.get(id=acme.id).time_zone == "Europe/Berlin"


def test_it_refuses_a_zone_that_does_not_exist_with_a_form_error(client_of, alice, acme):
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "Europe/"):
        response = client_of(alice).post(settings_url(), form_data(time_zone=bad))
        assert response.status_code == 200
        assert "is not a time zone" in response.content.decode()
    assert Partner.objects.get(id=acme.id).time_zone == "UTC"
