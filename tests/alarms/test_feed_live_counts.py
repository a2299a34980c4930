"""An open feed's poll also updates the rows already on the page whose count moved
(duplicates folded by the webhook), out of band, with one bounded query."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alarms.models import AlarmEvent

from .test_webhook import BODY, hook, post


def found(pattern, text):
    match = re.search(pattern, text)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)


def poll_of(html):
    return found(r'id="alarm-poll"[^>]*hx-get="([^"]+)"', html).replace("&amp;", "&")


def test_it_swaps_in_the_new_count_of_an_event_already_on_the_page(client, client_of, victor, acme, acme_camera):
    url = hook(authcode=acme.webhook_secret)
    post(client, url)
    event = AlarmEvent.objects.get()
    viewer = client_of(victor)
    poll = poll_of(viewer.get(reverse("alarm_feed", kwargs={"slug": "acme"})).content.decode())
    assert "seen=" in poll
    assert viewer.get(poll, headers={"HX-Request": "true"}).status_code == 204

    post(viewer, url)
    post(viewer, url)
    body = viewer.get(poll, headers={"HX-Request": "true"}).content.decode()

    row = found(rf"<template>\s*(<tr data-alarm-id=\"{event.id}\"[^>]*>)", body)
    assert 'hx-swap-oob="true"' in row and 'data-count="3"' in row
    assert "×3" in body
    # Nothing new: the next poller keeps the newest id and moves its seen mark on.
    next_poll = poll_of(body)
    assert f"since={event.id}" in next_poll and next_poll != poll


def test_it_sends_a_new_alarm_as_a_row_and_a_folded_one_out_of_band_in_one_answer(
    client, client_of, victor, acme, acme_camera
):
    url = hook(authcode=acme.webhook_secret)
    post(client, url)
    old = AlarmEvent.objects.get()
    viewer = client_of(victor)
    poll = poll_of(viewer.get(reverse("alarm_feed", kwargs={"slug": "acme"})).content.decode())
    post(viewer, url)
    post(viewer, url, dict(BODY, status="videoLoss"))
    new = AlarmEvent.objects.exclude(id=old.id).get()
    body = viewer.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert f'<tr data-alarm-id="{new.id}" id="alarm-{new.id}" data-count="1" class="alarm-new">' in body
    assert re.search(rf'<template>\s*<tr data-alarm-id="{old.id}" id="alarm-{old.id}" [^>]*hx-swap-oob="true"', body)
    assert f"since={new.id}" in poll_of(body)


def test_it_keeps_the_poll_to_a_bounded_indexed_query_for_changes(client, client_of, victor, acme, acme_camera):
    url = hook(authcode=acme.webhook_secret)
    post(client, url)
    viewer = client_of(victor)
    poll = poll_of(viewer.get(reverse("alarm_feed", kwargs={"slug": "acme"})).content.decode())
    with CaptureQueriesContext(connection) as queries:
        assert viewer.get(poll, headers={"HX-Request": "true"}).status_code == 204
    changed = [q["sql"] for q in queries if '"last_seen_at" >' in q["sql"]]
    assert len(changed) == 1
    assert '"received_at" >=' in changed[0]


def test_it_refuses_a_seen_mark_that_is_not_a_time_in_words(client_of, victor, acme):
    new = reverse("alarm_feed_new", kwargs={"slug": "acme"})
    response = client_of(victor).get(f"{new}?since=1&seen=nan")
    assert response.status_code == 400
