import json

from django.urls import reverse

from alarms.models import AlarmEvent, AlarmSource

BODY = {"uid": "95270000ACME0001", "channelId": "0", "status": "MD", "AItpe": "people,vehicle"}


def hook(slug="acme", **query):
    url = reverse("alarm_webhook", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post(client, url, body=BODY, **headers):
    return client.post(
        url, data=json.dumps(body) if isinstance(body, dict) else body, content_type="application/json", headers=headers
    )


def test_it_stores_an_alarm_sent_with_the_authcode(client, acme, acme_camera):
    response = post(client, hook(authcode=acme.webhook_secret))
    assert response.status_code == 200
    event = AlarmEvent.objects.get()
    assert (event.partner, event.device, event.channel, event.status) == (acme, acme_camera, 0, "MD")
    assert event.ai_types == ["people", "vehicle"]
    assert event.source == AlarmSource.WEBHOOK


def test_it_accepts_the_key_parameter_and_the_bearer_header(client, acme):
    assert post(client, hook(key=acme.webhook_secret)).status_code == 200
    # Another alarm (a duplicate of the first would fold into it: test_dedupe.py).
    other = dict(BODY, channelId="1")
    assert post(client, hook(), other, Authorization=f"Bearer {acme.webhook_secret}").status_code == 200
    assert AlarmEvent.objects.count() == 2


def test_it_keeps_an_alarm_for_an_unsynced_device_by_uid(client, acme):
    post(client, hook(authcode=acme.webhook_secret), dict(BODY, uid="9527000000000NEW"))
    event = AlarmEvent.objects.get()
    assert event.device is None and event.device_uid == "9527000000000NEW"


def test_it_refuses_a_wrong_secret_with_the_error_envelope(client, acme):
    response = post(client, hook(authcode="wrong"))
    assert response.status_code == 403
    assert response.json()["error"]["symbol"] == "auth_failed"
    assert not AlarmEvent.objects.exists()


def test_it_refuses_another_partners_secret(client, acme, bolt):
    response = post(client, hook("acme", authcode=bolt.webhook_secret))
    assert response.status_code == 403
    response = post(client, hook("nosuchpartner", authcode=acme.webhook_secret))
    assert response.status_code == 403
    assert not AlarmEvent.objects.exists()


def test_it_answers_a_malformed_body_with_a_clear_400(client, acme):
    for body in ("not json", {"uid": "lowercase-uid", "channelId": "0", "status": "MD"}, {"status": "MD"}):
        response = post(client, hook(authcode=acme.webhook_secret), body)
        assert response.status_code == 400, body
        error = response.json()["error"]
        assert error["symbol"] == "invalid_parameter" and error["message"]
    assert not AlarmEvent.objects.exists()


def test_it_only_takes_post(client, acme):
    response = client.get(hook(authcode=acme.webhook_secret))
    assert response.status_code == 405
    assert response.json()["error"]["symbol"] == "method_not_allowed"


def test_it_keeps_the_secret_out_of_the_request_log(acme):
    import logging

    from rop_fleet.log_filters import StripQueryStrings

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"%s" %s %s',
        (f"POST {hook(authcode=acme.webhook_secret)} HTTP/1.1", "200", "12"),
        None,
    )
    StripQueryStrings().filter(record)
    assert acme.webhook_secret not in record.getMessage()
    assert "/hooks/alarms/acme/?…" in record.getMessage()
