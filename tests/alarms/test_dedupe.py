"""The webhook folds identical alarms within ALARM_DEDUPE_SECONDS into one event with a
count, and stays one lookup and one write per alarm."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alarms.models import AlarmEvent, AlarmSettings

from .test_webhook import BODY, hook, post


def test_it_folds_two_identical_alarms_into_one_event_with_a_count_of_two(client, acme, acme_camera):
    url = hook(authcode=acme.webhook_secret)
    first = post(client, url).json()
    second = post(client, url).json()
    assert first["folded"] is False and second["folded"] is True
    assert first["id"] == second["id"]
    event = AlarmEvent.objects.get()
    assert event.count == 2
    assert event.last_seen_at >= event.received_at
    assert event.device == acme_camera


def test_it_stores_a_new_event_once_the_window_has_passed(client, acme, settings):
    settings.ALARM_DEDUPE_SECONDS = 60
    url = hook(authcode=acme.webhook_secret)
    post(client, url)
    earlier = AlarmEvent.objects.get().received_at - timedelta(seconds=61)
    AlarmEvent.objects.update(received_at=earlier, dedupe_slot=int(earlier.timestamp()) // 60)
    post(client, url)
    assert sorted(AlarmEvent.objects.values_list("count", flat=True)) == [1, 1]


def test_it_keeps_different_channels_statuses_and_detections_apart(client, acme):
    url = hook(authcode=acme.webhook_secret)
    for body in (
        BODY,
        dict(BODY, channelId="1"),
        dict(BODY, status="videoLoss"),
        dict(BODY, AItpe="people"),
        dict(BODY, uid="95270000ACME0002"),
    ):
        post(client, url, body)
    assert AlarmEvent.objects.count() == 5
    assert set(AlarmEvent.objects.values_list("count", flat=True)) == {1}


def test_it_folds_the_same_detections_sent_in_another_order(client, acme):
    url = hook(authcode=acme.webhook_secret)
    post(client, url, dict(BODY, AItpe="people,vehicle"))
    post(client, url, dict(BODY, AItpe="vehicle,people"))
    assert AlarmEvent.objects.get().count == 2


def test_it_never_folds_another_partners_alarm(client, acme, bolt):
    post(client, hook("acme", authcode=acme.webhook_secret))
    post(client, hook("bolt", authcode=bolt.webhook_secret))
    assert sorted(AlarmEvent.objects.values_list("partner__slug", "count")) == [("acme", 1), ("bolt", 1)]


def test_it_takes_one_lookup_and_one_write_per_alarm(client, acme, acme_camera):
    AlarmSettings.objects.create(partner=acme, allowed_networks=["127.0.0.0/8"])
    url = hook(authcode=acme.webhook_secret)
    for expected_write in ("INSERT", "UPDATE", "UPDATE"):
        with CaptureQueriesContext(connection) as queries:
            assert post(client, url).status_code == 200
        statements = [q["sql"].split()[0] for q in queries.captured_queries]
        assert statements == ["SELECT", expected_write], queries.captured_queries
    assert AlarmEvent.objects.get().count == 3


def test_it_answers_a_bad_body_with_one_lookup_and_no_write(client, acme):
    with CaptureQueriesContext(connection) as queries:
        response = post(client, hook(authcode=acme.webhook_secret), "not json")
    assert response.status_code == 400
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
