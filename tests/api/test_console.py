"""The console side: the API page (admins create, see once and revoke tokens; the page shows
the OpenAPI link and curl examples with the real base URL) and every list page's JSON and
CSV buttons, which keep the page's filters."""

import html
import re

import pytest
from django.test import Client

from api.models import ApiToken
from audit.models import AuditEntry

from .conftest import make_history


def test_it_shows_admins_the_api_page_with_real_urls(client_of, alice):
    body = client_of(alice).get("/p/acme/api/").content.decode()
    assert "http://testserver/api/v1/partners/acme/devices/" in body
    assert 'href="http://testserver/api/v1/openapi.json"' in body
    assert "Authorization: Bearer" in body


@pytest.mark.parametrize("who", ["victor", "olga"])
def test_it_forbids_the_api_page_to_non_admins(client_of, request, who):
    client = client_of(request.getfixturevalue(who))
    assert client.get("/p/acme/api/").status_code == 403
    assert client.post("/p/acme/api/", {"name": "Sneaky"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_creates_a_token_shown_once_that_works(client_of, alice, acme, acme_camera):
    client = client_of(alice)
    body = client.post("/p/acme/api/", {"name": "Nightly BI", "expires_on": "2999-01-01"}).content.decode()
    shown = re.search(r'<code id="new-token">([^<]+)</code>', body)
    assert shown is not None
    token = shown.group(1)
    row = ApiToken.objects.get(partner=acme)
    assert row.expires_at is not None
    assert (row.name, row.created_by, row.expires_at.year) == ("Nightly BI", alice, 2999)
    assert token not in client.get("/p/acme/api/").content.decode()  # never shown again
    assert row.prefix in client.get("/p/acme/api/").content.decode()
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/partners/acme/devices/")
    assert response.json()["data"][0]["uid"] == acme_camera.uid
    entry = AuditEntry.objects.get(action="api_token.create")
    assert token not in str(entry.params) and entry.user == alice


def test_it_refuses_a_token_without_a_name_or_expired_already(client_of, alice):
    client = client_of(alice)
    assert "This field is required" in client.post("/p/acme/api/", {"name": ""}).content.decode()
    assert "from today on" in client.post("/p/acme/api/", {"name": "x", "expires_on": "2001-01-01"}).content.decode()
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_from_the_page(client_of, alice, acme, acme_token):
    client = client_of(alice)
    row = ApiToken.objects.get(partner=acme)
    response = client.post(f"/p/acme/api/tokens/{row.id}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    row.refresh_from_db()
    assert row.revoked_at is not None
    token_client = Client(headers={"Authorization": f"Bearer {acme_token}"})
    assert token_client.get("/api/v1/partners/acme/jobs/").status_code == 401
    assert client.get(f"/p/acme/api/tokens/{row.id}/revoke/").status_code == 405


def export_links(body):
    found = dict(re.findall(r'<a href="([^"]+)" class="export-(json|csv)"', body))
    return {kind: html.unescape(url) for url, kind in found.items()}


@pytest.mark.parametrize(
    ("page", "json_url"),
    [
        ("/p/acme/devices/?online=yes&sort=-battery", "/api/v1/partners/acme/devices/?online=yes&sort=-battery"),
        ("/p/acme/alarms/?status=MD&ai_type=people", "/api/v1/partners/acme/alarms/?status=MD&ai_type=people"),
        ("/p/acme/audit/?action=device.alarm", "/api/v1/partners/acme/audit/?action=device.alarm"),
        ("/p/acme/jobs/", "/api/v1/partners/acme/jobs/"),
        ("/p/acme/firmware/rollouts/", "/api/v1/partners/acme/rollouts/"),
        ("/p/acme/firmware/", "/api/v1/partners/acme/firmware/"),
    ],
)
def test_it_gives_every_list_page_json_and_csv_buttons_with_its_filters(client_of, victor, acme_camera, page, json_url):
    make_history(acme_camera.partner, [acme_camera], victor)
    client = client_of(victor)
    links = export_links(client.get(page).content.decode())
    path, _, query = json_url.partition("?")
    assert links["json"] == json_url
    assert links["csv"] == path.rstrip("/") + ".csv" + (f"?{query}" if query else "")
    assert client.get(links["json"]).json()["data"]  # the session opens them
    assert b"".join(client.get(links["csv"]).streaming_content).count(b"\n") >= 2


def test_it_is_reached_from_the_settings_pages_under_one_menu_entry(client_of, alice):
    client = client_of(alice)
    for url in ("/p/acme/settings/", "/p/acme/alarms/settings/", "/p/acme/api/"):
        body = client.get(url).content.decode()
        assert 'href="/p/acme/api/"' in body, url
        assert 'aria-label="Settings pages"' in body, url
