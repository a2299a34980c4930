"""Identical alarms posted at the same moment (a Core Server delivers in parallel) fold
into one event with the right count: the INSERT is an upsert on the event's slot."""

import json
from concurrent.futures import ThreadPoolExecutor

import requests
from django.urls import reverse

from alarms.models import AlarmEvent

from .test_webhook import BODY

PARALLEL = 12


def test_it_folds_identical_alarms_posted_in_parallel(live_server, acme, acme_camera):
    url = f"{live_server.url}{reverse('alarm_webhook', kwargs={'slug': 'acme'})}"
    headers = {"Authorization": f"Bearer {acme.webhook_secret}", "Content-Type": "application/json"}

    def post(_):
        return requests.post(url, data=json.dumps(BODY), headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        assert list(pool.map(post, range(PARALLEL))) == [200] * PARALLEL
    events = list(AlarmEvent.objects.values_list("count", flat=True))
    # Unless the burst straddled a slot boundary (then two events), one event holds them all.
    assert sum(events) == PARALLEL and len(events) <= 2, events
