"""Values from a Core Server that no date can hold never break a page (ropsim over real HTTP)."""

import pytest
import requests

from ropsim.testing import SimConfig, start_in_thread

from .device_page_tools import htmx, page_device, url
from .test_device_wifi import poll_scan
from .test_onboarding import NEW_UID, onboard_url


@pytest.fixture
def far_sim():
    """A simulator whose WiFi scans expire so far ahead that expiringAt is beyond any date."""
    with start_in_thread(
        SimConfig(devices=30, seed=7, token="sim-token", wifi_scan_seconds=0.3, wifi_scan_ttl=1e20)
    ) as running:
        yield running


def test_it_scans_wifi_when_the_session_expiry_is_beyond_any_date(far_sim, acme, client_of, olga):
    acme.rop_base_url, acme.gateway_token = far_sim.base_url, "sim-token"
    acme.save()
    device = page_device(far_sim, acme, name="Reolink Duo 2")
    client = htmx(client_of(olga))
    response = client.post(url("device_wifi_scan", device))
    fragment = response.content.decode()
    assert response.status_code == 200 and "Scanning" in fragment
    # No deadline from the server: the page's own limit of polls bounds the scan.
    assert "until=0&amp;" in fragment
    assert "NETGEAR36" in poll_scan(client, fragment)


def test_it_shows_an_initialization_session_whose_time_is_beyond_any_date(sim, acme_on_sim, client_of, olga):
    answer = {
        "uid": NEW_UID,
        "caHash": "ab" * 32,
        "code": "code-1",
        "host": "rop.example",
        "getCAPort": 61000,
        "getCertPort": 61001,
        "registerPort": 61002,
        "time": 10**40,
    }
    injection = {"method": "POST", "path": "/v1.0/devices/initialization-session", "status": 200, "body": answer}
    assert requests.post(f"{sim.control_url}/inject", json=injection, timeout=10).status_code < 300
    response = htmx(client_of(olga)).post(onboard_url(), {"uid": NEW_UID})
    html = response.content.decode()
    assert response.status_code == 200
    assert str(10**40) in html and "not a valid date" in html
