"""Each API token has its own rate limit (API_TOKEN_RATE_PER_MINUTE, a bucket in Redis shared
by every web process): beyond it the API answers 429 with Retry-After and the JSON error."""

from django.test import Client

DEVICES = "/api/v1/partners/acme/devices/"


def bearer(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_it_answers_429_with_retry_after_once_a_token_used_its_minute(acme, acme_token, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 3
    client = bearer(acme_token)
    assert [client.get(DEVICES).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(DEVICES)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["symbol"] == "rate_limited"
    assert "3 requests a minute" in response.json()["error"]["message"]
    assert 1 <= int(response["Retry-After"]) <= 20  # one request refills in 60/3 s


def test_it_limits_each_token_on_its_own(acme, alice, acme_token, bolt_token, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 2
    for _ in range(2):
        bearer(acme_token).get(DEVICES)
    assert bearer(acme_token).get(DEVICES).status_code == 429
    assert bearer(bolt_token).get("/api/v1/partners/bolt/devices/").status_code == 200


def test_it_counts_a_tokens_calls_to_other_partners_too(acme, acme_token, bolt, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 2
    assert [bearer(acme_token).get("/api/v1/partners/bolt/devices/").status_code for _ in range(2)] == [404, 404]
    assert bearer(acme_token).get("/api/v1/partners/bolt/devices/").status_code == 429


def test_it_does_not_limit_console_sessions_or_unknown_tokens(client_of, victor, acme, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 1
    session = client_of(victor)
    assert [session.get(DEVICES).status_code for _ in range(3)] == [200, 200, 200]
    assert [bearer("rfk_000000000000_x").get(DEVICES).status_code for _ in range(3)] == [401, 401, 401]


def test_it_does_not_limit_when_the_setting_is_zero(acme, acme_token, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 0
    assert {bearer(acme_token).get(DEVICES).status_code for _ in range(5)} == {200}
