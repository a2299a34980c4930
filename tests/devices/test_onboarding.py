"""Onboarding: the initialization session, against ropsim over real HTTP."""

import json
import logging

from django.urls import reverse

from audit.models import AuditEntry

from .device_page_tools import htmx, rate_limit_everything

NEW_UID = "95270000NEWCAM01"


def onboard_url(slug="acme"):
    return reverse("device_onboard", kwargs={"slug": slug})


def test_it_explains_lan_onboarding(client_of, olga, acme):
    html = client_of(olga).get(onboard_url()).content.decode()
    assert "UDP broadcast on port 2000" in html and "/rop/setup" in html and "Create initialization session" in html


def test_it_gives_operators_the_session_values_with_a_countdown(sim, acme_on_sim, client_of, olga, caplog):
    caplog.set_level(logging.DEBUG)
    response = htmx(client_of(olga)).post(onboard_url(), {"uid": NEW_UID})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "<html" not in html  # the result partial only
    session = sim.sim.init_sessions[NEW_UID]
    for value in (session.code, sim.sim.ca_hash, "61000", "61001", "61002"):
        assert value in html, value
    assert 'data-expires-in="60"' in html
    textarea = html.split('id="setup-json"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    body = json.loads(textarea.replace("&quot;", '"'))
    assert body["code"] == session.code and body["uid"] == NEW_UID and body["getCAPort"] == 61000
    assert sim.sim.redeem_init_code(NEW_UID, session.code) is not None  # the code works on the LAN side
    entry = AuditEntry.objects.get(action="device.init_session")
    assert entry.params == {"uid": NEW_UID} and entry.result == "ok"
    assert session.code not in json.dumps(entry.params) and session.code not in caplog.text


def test_it_validates_the_uid(sim, acme_on_sim, client_of, olga):
    client = htmx(client_of(olga))
    for uid in ("95270000newcam01", "SHORT", "95270000NEWCAM0!", ""):
        html = client.post(onboard_url(), {"uid": uid}).content.decode()
        assert 'class="flash flash-error"' in html, uid
    assert not sim.sim.init_sessions
    assert not AuditEntry.objects.exists()


def test_it_explains_core_server_errors(sim, acme_on_sim, client_of, olga):
    client = htmx(client_of(olga))
    rate_limit_everything(sim)
    html = client.post(onboard_url(), {"uid": NEW_UID}).content.decode()
    assert "rate limiting the console" in html
    assert AuditEntry.objects.get(action="device.init_session").result == "error"


def test_it_explains_an_unreachable_core_server(client_of, olga, acme):
    html = htmx(client_of(olga)).post(onboard_url(), {"uid": NEW_UID}).content.decode()
    assert "The Core Server cannot be reached." in html


def test_it_renders_the_whole_page_without_htmx(sim, acme_on_sim, client_of, olga):
    html = client_of(olga).post(onboard_url(), {"uid": NEW_UID}).content.decode()
    assert "<html" in html and sim.sim.init_sessions[NEW_UID].code in html


def test_it_forbids_viewers(client_of, victor, acme):
    client = client_of(victor)
    assert client.get(onboard_url()).status_code == 403
    assert client.post(onboard_url(), {"uid": NEW_UID}).status_code == 403


def test_it_answers_404_for_another_partner(client_of, alice, bolt):
    assert client_of(alice).post(onboard_url("bolt"), {"uid": NEW_UID}).status_code == 404


def test_it_is_linked_from_the_device_list_for_operators(client_of, olga, victor, acme):
    from django.urls import reverse

    list_url = reverse("device_list", kwargs={"slug": "acme"})
    onboard_url = reverse("device_onboard", kwargs={"slug": "acme"}).encode()
    assert onboard_url in client_of(olga).get(list_url).content
    assert onboard_url not in client_of(victor).get(list_url).content
