"""The per-partner IP allow-list of the alarm webhook: checked before the secret, with
the client address found as the login lockout finds it (ipware, PROXY_COUNT)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from alarms.allow_list import address_allowed, parse_networks
from alarms.models import AlarmEvent, AlarmSettings
from audit.models import AuditEntry

from .test_webhook import BODY, hook

CORE_SERVER = "198.51.100.7"
STRANGER = "203.0.113.66"
PROXY = "10.0.0.2"


def post_from(address, url, forwarded_for=None, body=BODY):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**extra).post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def acme_allows_its_core_server(acme):
    return AlarmSettings.objects.create(partner=acme, allowed_networks=["198.51.100.0/24", "2001:db8::/32"])


@pytest.fixture
def behind_one_proxy(settings):
    """What rop_fleet/settings.py derives from PROXY_COUNT=1 (as in test_login_behind_proxy.py)."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_ORDER = "left-most"
    settings.IPWARE_STRICT = False


def test_it_takes_alarms_from_an_allowed_address(acme, acme_allows_its_core_server):
    response = post_from(CORE_SERVER, hook(authcode=acme.webhook_secret))
    assert response.status_code == 200
    assert AlarmEvent.objects.count() == 1


def test_it_refuses_another_address_even_with_the_right_secret(acme, acme_allows_its_core_server):
    response = post_from(STRANGER, hook(authcode=acme.webhook_secret))
    assert response.status_code == 403
    assert response.json() == {
        "error": {"symbol": "auth_failed", "message": "Unknown webhook address or wrong secret."}
    }
    assert not AlarmEvent.objects.exists()


def test_it_refuses_before_looking_at_the_body(acme, acme_allows_its_core_server):
    # A stranger learns nothing from a malformed body either: 403, not 400.
    assert post_from(STRANGER, hook(authcode=acme.webhook_secret), body={"status": "MD"}).status_code == 403


def test_it_takes_any_address_without_a_list(acme):
    AlarmSettings.objects.create(partner=acme, retention_days=5)
    assert post_from(STRANGER, hook(authcode=acme.webhook_secret)).status_code == 200


def test_it_reads_the_client_address_behind_a_proxy(acme, acme_allows_its_core_server, behind_one_proxy):
    url = hook(authcode=acme.webhook_secret)
    assert post_from(PROXY, url, forwarded_for=CORE_SERVER).status_code == 200
    assert post_from(PROXY, url, forwarded_for=STRANGER).status_code == 403
    # A forged entry on the left is the client's own writing: ignored.
    assert post_from(PROXY, url, forwarded_for=f"{CORE_SERVER}, {STRANGER}").status_code == 403
    assert AlarmEvent.objects.count() == 1


def test_it_ignores_x_forwarded_for_without_a_proxy(acme, acme_allows_its_core_server):
    # PROXY_COUNT=0 (the default): the header is the client's to write, so it decides nothing.
    assert post_from(STRANGER, hook(authcode=acme.webhook_secret), forwarded_for=CORE_SERVER).status_code == 403


def test_it_matches_ipv6_and_ipv4_mapped_addresses():
    networks = ["198.51.100.0/24", "2001:db8::/32"]
    assert address_allowed("2001:db8::1", networks)
    assert address_allowed("::ffff:198.51.100.9", networks)
    assert not address_allowed("2001:db9::1", networks)
    assert not address_allowed(None, networks)
    assert not address_allowed("not an address", networks)
    assert address_allowed(None, [])


def test_it_normalises_networks_and_names_the_bad_ones():
    networks, problems = parse_networks("198.51.100.7/24\n203.0.113.5, 198.51.100.0/24\n\n2001:DB8::/32")
    assert networks == ["198.51.100.0/24", "203.0.113.5/32", "2001:db8::/32"]
    assert problems == []
    _networks, problems = parse_networks("10.0.0.0/8\n10.0.0.300\nexample.com")
    assert len(problems) == 2 and "'10.0.0.300'" in problems[0]


def test_it_lets_an_admin_set_the_list_and_retention(client_of, alice, acme):
    url = reverse("alarm_settings", kwargs={"slug": "acme"})
    client = client_of(alice)
    assert b"Bearer" in client.get(url).content
    response = client.post(url, {"retention_days": "14", "allowed_networks": "198.51.100.7/24\n2001:db8::/32"})
    assert response.status_code == 302
    saved = AlarmSettings.objects.get(partner=acme)
    assert (saved.retention_days, saved.allowed_networks) == (14, ["198.51.100.0/24", "2001:db8::/32"])
    entry = AuditEntry.objects.get(action="alarms.settings")
    assert entry.params == {"retention_days": 14, "allowed_networks": ["198.51.100.0/24", "2001:db8::/32"]}


def test_it_shows_what_is_wrong_with_a_bad_network(client_of, alice, acme):
    url = reverse("alarm_settings", kwargs={"slug": "acme"})
    response = client_of(alice).post(url, {"retention_days": "0", "allowed_networks": "10.0.0.300"})
    assert response.status_code == 200
    assert b"is not an address or a network" in response.content
    assert b"greater than or equal to 1" in response.content
    assert not AlarmSettings.objects.exists()


def test_it_keeps_the_settings_from_operators_and_viewers(client_of, olga, victor, acme):
    url = reverse("alarm_settings", kwargs={"slug": "acme"})
    for user in (olga, victor):
        client = client_of(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"retention_days": "1"}).status_code == 403
    assert not AlarmSettings.objects.exists()


def test_it_tells_partners_to_prefer_the_bearer_header(client_of, alice, acme):
    content = client_of(alice).get(reverse("partner_settings", kwargs={"slug": "acme"})).content.decode()
    assert "Authorization: Bearer" in content and "proxies' logs" in content
    assert reverse("alarm_settings", kwargs={"slug": "acme"}) in content
