"""Who may call the API: a partner's token sees that partner only, a session sees its
memberships, and every failure is the JSON error shape with its status."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import create_token, revoke_token
from audit.models import AuditEntry

DEVICES = "/api/v1/partners/acme/devices/"


def error_of(response):
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["symbol"]


def bearer(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_it_answers_a_valid_token_with_its_partners_devices(api, acme_camera, bolt_camera):
    response = api.get(DEVICES)
    assert response.status_code == 200
    assert [row["uid"] for row in response.json()["data"]] == [acme_camera.uid]


def test_it_refuses_a_request_without_credentials(db, acme):
    response = Client().get(DEVICES)
    assert response.status_code == 401
    assert error_of(response) == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer rfk_000000000000_wrong", "Bearer nonsense", "Basic YWxpY2U6cHc=", "Bearer ", "Bearer rfk__x"],
)
def test_it_refuses_a_wrong_or_malformed_token(acme, acme_token, header):
    response = Client(headers={"Authorization": header}).get(DEVICES)
    assert response.status_code == 401
    assert error_of(response) in ("bad_token", "bad_authorization")


def test_it_refuses_a_token_whose_secret_is_wrong_even_with_a_real_prefix(acme_token):
    scheme, prefix, _secret = acme_token.split("_", 2)
    forged = f"{scheme}_{prefix}_{'x' * 43}"
    assert error_of(bearer(forged).get(DEVICES)) == "bad_token"


def test_it_refuses_a_revoked_token_and_audits_the_revocation(acme, alice, acme_token):
    row = ApiToken.objects.get(partner=acme)
    assert revoke_token(row, alice)
    assert not revoke_token(row, alice)  # already revoked: nothing more to do or to audit
    response = bearer(acme_token).get(DEVICES)
    assert response.status_code == 401
    assert error_of(response) == "bad_token"
    actions = list(AuditEntry.objects.filter(partner=acme).values_list("action", flat=True))
    assert sorted(actions) == ["api_token.create", "api_token.revoke"]


def test_it_refuses_an_expired_token(acme, alice):
    _row, token = create_token(acme, alice, "Old", expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(token).get(DEVICES).status_code == 401


def test_it_accepts_a_token_until_it_expires(acme, alice):
    _row, token = create_token(acme, alice, "Soon", expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(token).get(DEVICES).status_code == 200


def test_it_answers_404_to_another_partners_token(acme, bolt_token, acme_camera):
    response = bearer(bolt_token).get(DEVICES)
    assert response.status_code == 404
    assert error_of(response) == "not_found"
    assert b"ACME" not in response.content


def test_it_answers_404_for_an_unknown_partner_as_for_a_forbidden_one(bolt_token):
    assert bearer(bolt_token).get("/api/v1/partners/nobody/devices/").json() == bearer(bolt_token).get(DEVICES).json()


def test_it_keeps_only_a_hash_of_the_token(acme, acme_token):
    row = ApiToken.objects.get(partner=acme)
    stored = " ".join(str(v) for v in (ApiToken.objects.filter(id=row.id).values().first() or {}).values())
    assert acme_token not in stored
    assert acme_token.split("_", 2)[2] not in stored
    assert len(row.token_sha256) == 64


def test_it_records_the_last_use_at_most_once_a_minute(acme, api):
    api.get(DEVICES, REMOTE_ADDR="192.0.2.7")
    row = ApiToken.objects.get(partner=acme)
    assert row.last_used_ip == "192.0.2.7"
    first = row.last_used_at
    assert first is not None
    api.get(DEVICES, REMOTE_ADDR="192.0.2.8")
    row.refresh_from_db()
    assert (row.last_used_at, row.last_used_ip) == (first, "192.0.2.7")
    ApiToken.objects.filter(id=row.id).update(last_used_at=first - timedelta(minutes=2))
    api.get(DEVICES, REMOTE_ADDR="192.0.2.8")
    row.refresh_from_db()
    assert row.last_used_ip == "192.0.2.8"


def test_it_lets_a_members_session_read_its_partner(client_of, victor, acme_camera):
    response = client_of(victor).get(DEVICES)
    assert response.status_code == 200
    assert response.json()["data"][0]["uid"] == acme_camera.uid


def test_it_answers_404_to_a_session_of_another_partner(client_of, bob, acme_camera):
    response = client_of(bob).get(DEVICES)
    assert response.status_code == 404
    assert error_of(response) == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(api, acme_camera, client_of, alice, method):
    for caller in (api, client_of(alice)):
        response = getattr(caller, method)(DEVICES)
        assert response.status_code == 405
        assert error_of(response) == "method_not_allowed"
        assert response["Allow"] == "GET, HEAD"


def test_it_answers_json_404_for_unknown_api_paths(api):
    for path in ("/api/", "/api/v1/nothing", "/api/v2/partners/acme/devices/", "/api/v1/partners/acme/secrets/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert error_of(response) == "not_found"


def test_it_answers_a_server_error_as_json(api, acme, monkeypatch):
    # A bug inside a view (here: the device selector raising) must still answer the error shape.
    from devices import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "filtered_devices", broken)
    response = api.get(DEVICES)
    assert response.status_code == 500
    assert error_of(response) == "server_error"
    assert b"boom" not in response.content


def test_it_answers_json_even_when_the_failure_is_outside_the_api_views(api, settings):
    # A Host the installation does not serve fails in Django's request handling, before any view.
    settings.ALLOWED_HOSTS = ["console.example"]
    response = api.get(DEVICES, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response) == "bad_request"


def test_it_keeps_the_console_s_html_error_pages(client_of, alice, settings):
    settings.ALLOWED_HOSTS = ["console.example"]
    response = client_of(alice).get("/p/acme/devices/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_it_never_logs_a_token(api, acme_token, acme, caplog):
    caplog.set_level("DEBUG")
    api.get(DEVICES)
    api.post(DEVICES)
    Client(headers={"Authorization": f"Bearer {acme_token}x"}).get(DEVICES)
    assert caplog.records  # the 401 and 405 were logged
    assert acme_token.split("_", 2)[2] not in caplog.text


def test_it_answers_head_like_get_without_a_body(api, acme_camera):
    response = api.head(DEVICES)
    assert response.status_code == 200 and response.content == b""
