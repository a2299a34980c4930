"""A secret stored under a key FIELD_ENCRYPTION_KEY no longer holds: only its partner stops,
the others' syncs and polls go on, and its pages say what to do."""

import logging
import time
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import timezone

from core.encrypted_fields import is_unreadable
from devices.models import Device, DeviceHealthSample
from devices.sync import sync_partner
from devices.tasks.polling import sweep_due_polls
from partners.models import Partner
from partners.rop_clients import GatewayTokenUnreadable
from tests.devices.simtools import control, wait_for


def write_under_unknown_key(settings, partner, **values):
    """Store `values` encrypted with a key the console does not have (a lost old key)."""
    current = settings.FIELD_ENCRYPTION_KEYS
    lost = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [lost]
    Partner.objects.filter(pk=partner.pk).update(**values)
    settings.FIELD_ENCRYPTION_KEYS = current
    return lost


@pytest.fixture
def bolt_on_sim(bolt, sim):
    bolt.rop_base_url, bolt.gateway_token, bolt.request_budget = sim.base_url, "sim-token", 500
    bolt.save()
    return bolt


def test_it_loads_a_partner_whose_secrets_cannot_be_decrypted(settings, acme):
    write_under_unknown_key(settings, acme, gateway_token="sim-token", webhook_secret="s3cret")
    partner = Partner.objects.get(pk=acme.pk)  # raised ImproperlyConfigured before
    assert partner.gateway_token_unreadable and partner.webhook_secret_unreadable
    assert partner.gateway_token == "" and is_unreadable(partner.gateway_token)
    assert "sim-token" not in repr(partner.gateway_token)


def test_it_keeps_the_stored_value_when_the_row_is_saved(settings, acme):
    lost = write_under_unknown_key(settings, acme, gateway_token="sim-token")
    partner = Partner.objects.get(pk=acme.pk)
    partner.name = "Acme Renamed"
    partner.save()
    # The key turns up again: the token was not overwritten meanwhile.
    settings.FIELD_ENCRYPTION_KEYS = [*settings.FIELD_ENCRYPTION_KEYS, lost]
    assert Partner.objects.get(pk=acme.pk).gateway_token == "sim-token"


def test_it_keeps_polling_the_other_partners(settings, sim, acme_on_sim, bolt_on_sim, celery_worker, caplog):
    sync_partner(acme_on_sim)
    sync_partner(bolt_on_sim)
    write_under_unknown_key(settings, bolt_on_sim, gateway_token="sim-token")
    Device.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
    caplog.set_level(logging.ERROR, logger="partners.rop_clients")

    sweep_due_polls()
    sweep_due_polls()
    wait_for(lambda: DeviceHealthSample.objects.filter(device__partner=acme_on_sim).count() >= 30, what="Acme's polls")
    time.sleep(0.5)  # a poll of Bolt's, were there one, would land meanwhile
    assert not DeviceHealthSample.objects.filter(device__partner=bolt_on_sim).exists()
    # Bolt's devices are left as they were, not failed one by one.
    assert not Device.objects.filter(partner=bolt_on_sim).exclude(poll_failures=0, last_poll_error="").exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "partners.rop_clients"]
    assert len(logged) == 1 and "bolt" in logged[0] and "re-enters the token" in logged[0]


def test_it_answers_calls_with_a_clear_message_and_sends_nothing(settings, sim, bolt_on_sim, client_of, bob):
    sync_partner(bolt_on_sim)
    write_under_unknown_key(settings, bolt_on_sim, gateway_token="sim-token")
    control(sim, "POST", "/counters/reset")
    with pytest.raises(GatewayTokenUnreadable, match="cannot be decrypted") as raised:
        sync_partner(Partner.objects.get(pk=bolt_on_sim.pk))
    assert raised.value.symbol == "gateway_token_unreadable"
    device = Device.objects.filter(partner=bolt_on_sim).first()
    assert device is not None
    response = client_of(bob).get(
        reverse("device_wifi", kwargs={"slug": "bolt", "uid": device.uid}), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "gateway token cannot be decrypted" in response.content.decode()
    assert not control(sim, "GET", "/counters")  # nothing reached the Core Server


def test_it_tells_the_admin_to_re_enter_the_token(settings, bolt, client_of, bob):
    write_under_unknown_key(settings, bolt, gateway_token="sim-token", webhook_secret="s3cret")
    client = client_of(bob)
    overview = client.get(reverse("overview", kwargs={"slug": "bolt"})).content.decode()
    assert "Re-enter the gateway token" in overview
    page = client.get(reverse("partner_settings", kwargs={"slug": "bolt"})).content.decode()
    assert "Re-enter the gateway token below" in page and "Generate a new secret" in page
    assert "webhook secret cannot be decrypted" in page

    # Re-entering it ends the warning.
    form = {
        "name": bolt.name,
        "rop_base_url": bolt.rop_base_url,
        "gateway_auth_header": "Authorization",
        "new_gateway_token": "new-token",
        "request_budget": "20",
        "powered_poll_seconds": "300",
        "battery_poll_seconds": "21600",
        "health_retention_days": "30",
    }
    response = client.post(reverse("partner_settings", kwargs={"slug": "bolt"}), form)
    assert response.status_code == 302, response.content.decode()
    partner = Partner.objects.get(pk=bolt.pk)
    assert partner.gateway_token == "new-token" and not partner.gateway_token_unreadable
