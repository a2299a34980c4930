"""The alarm feed: filters, newest first, keyset pages, the poll for new alarms, links to
footage, and the device page's alarms section."""

import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alarms.models import AlarmEvent, AlarmSource
from alarms.selectors import FEED_PAGE_SIZE
from devices.models import Device, Family, Tag


def feed(slug="acme"):
    return reverse("alarm_feed", kwargs={"slug": slug})


def new(slug="acme"):
    return reverse("alarm_feed_new", kwargs={"slug": slug})


def alarm(partner, device=None, uid="95270000ACME0001", **fields):
    return AlarmEvent.objects.create(
        partner=partner, device=device, device_uid=device.uid if device else uid, **{"status": "MD", **fields}
    )


def found(pattern, text):
    """The first group of `pattern` in `text`, unescaped as a browser reads an attribute."""
    match = re.search(pattern, text, re.S)
    assert match is not None, pattern
    return html.unescape(match.group(1))


def shown_ids(response):
    return [int(i) for i in re.findall(r'<tr data-alarm-id="(\d+)"', response.content.decode())]


def test_it_lists_a_partners_alarms_newest_first(client_of, victor, acme, bolt, acme_camera, bolt_camera):
    first, second = alarm(acme, acme_camera), alarm(acme, acme_camera, status="videoLoss")
    alarm(bolt, bolt_camera)
    response = client_of(victor).get(feed())
    assert response.status_code == 200
    assert shown_ids(response) == [second.id, first.id]
    assert b"Video loss" in response.content and b"Lobby" not in response.content


def test_it_filters_by_device_tag_status_detection_and_device_status(client_of, victor, acme, acme_camera):
    lobby = Device.objects.create(partner=acme, uid="95270000ACME0002", display_name="Lobby", online=False)
    Tag.objects.create(partner=acme, name="North").devices.add(lobby)
    people = alarm(acme, acme_camera, ai_types=["people"])
    vehicle = alarm(acme, lobby, ai_types=["dog_cat", "vehicle"])
    plain = alarm(acme, lobby, status="videoLoss")
    unsynced = alarm(acme, uid="9527000000000NEW", channel=2)
    client = client_of(victor)
    cases = {
        "device=lobby": [plain.id, vehicle.id],
        f"device={acme_camera.uid.lower()}": [people.id],
        "device=9527000000000NEW": [unsynced.id],
        "tag=North": [plain.id, vehicle.id],
        "status=videoLoss": [plain.id],
        "ai_type=vehicle": [vehicle.id],
        "ai_type=none": [unsynced.id, plain.id],
        "online=yes": [people.id],
        "online=no&ai_type=dog_cat": [vehicle.id],
        "tag=Nowhere": [],
    }
    for query, expected in cases.items():
        assert shown_ids(client.get(f"{feed()}?{query}")) == expected, query


def test_it_says_what_is_wrong_with_a_filter(client_of, victor, acme, acme_camera):
    alarm(acme, acme_camera)
    response = client_of(victor).get(f"{feed()}?status=loud&after=-3")
    assert response.status_code == 200
    assert b"Fix the filter above" in response.content
    assert shown_ids(response) == []


def test_it_pages_by_keyset_without_counting(client_of, victor, acme, acme_camera):
    events = [alarm(acme, acme_camera, channel=i % 3) for i in range(FEED_PAGE_SIZE + 5)]
    client = client_of(victor)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(feed())
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert shown_ids(first) == [e.id for e in reversed(events)][:FEED_PAGE_SIZE]
    more = re.search(r'id="alarm-more".*?href="\?([^"]+)"', first.content.decode(), re.S)
    assert more is not None
    second = client.get(f"{feed()}?{html.unescape(more.group(1))}", headers={"HX-Request": "true"})
    assert shown_ids(second) == [e.id for e in reversed(events)][FEED_PAGE_SIZE:]
    assert b"alarm-more" not in second.content and b"<html" not in second.content


def test_it_keeps_the_filter_on_the_next_page(client_of, victor, acme, acme_camera):
    for _ in range(FEED_PAGE_SIZE + 2):
        alarm(acme, acme_camera, status="blind")
        alarm(acme, acme_camera)
    first = client_of(victor).get(f"{feed()}?status=blind").content.decode()
    link = found(r'id="alarm-more".*?href="\?([^"]+)"', first)
    assert "status=blind" in link
    second = client_of(victor).get(f"{feed()}?{link}")
    assert set(AlarmEvent.objects.filter(id__in=shown_ids(second)).values_list("status", flat=True)) == {"blind"}


def test_it_polls_for_alarms_newer_than_the_page(client_of, victor, acme, acme_camera):
    old = alarm(acme, acme_camera)
    client = client_of(victor)
    page = client.get(f"{feed()}?status=MD").content.decode()
    poll = found(r'id="alarm-poll"[^>]*hx-get="([^"]+)"', page)
    assert f"since={old.id}" in poll and "status=MD" in poll
    assert client.get(poll).status_code == 204  # nothing new: htmx swaps nothing

    alarm(acme, acme_camera, status="blind")  # not of this filter
    fresh = alarm(acme, acme_camera, ai_types=["people"])
    response = client.get(poll, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert shown_ids(response) == [fresh.id]
    body = response.content.decode()
    # The answer starts with the next poller, from the newest alarm it brought.
    next_poll = found(r'id="alarm-poll"[^>]*hx-get="([^"]+)"', body)
    assert f"since={fresh.id}" in next_poll
    assert client.get(next_poll).status_code == 204


def test_it_refuses_a_poll_without_since_in_words(client_of, victor, acme):
    response = client_of(victor).get(f"{new()}?since=x")
    assert response.status_code == 400
    assert b"since=" in response.content


def test_it_links_each_alarm_to_recordings_and_a_snapshot_of_powered_cameras(client_of, victor, acme, acme_camera):
    powered = Device.objects.create(partner=acme, uid="95270000ACME0003", family=Family.POWERED, channel_count=4)
    on_powered = alarm(acme, powered, channel=2)
    on_battery = alarm(acme, acme_camera)
    body = client_of(victor).get(feed()).content.decode()
    rows = dict(re.findall(r'<tr data-alarm-id="(\d+)".*?>(.*?)</tr>', body, re.S))
    powered_row, battery_row = html.unescape(rows[str(on_powered.id)]), html.unescape(rows[str(on_battery.id)])
    device_url = reverse("device_detail", kwargs={"slug": "acme", "uid": powered.uid})
    assert re.search(rf'href="{device_url}\?channel=2&start=[^"]+&end=[^"]+#recordings"', powered_row)
    snapshot = reverse("device_snapshot_image", kwargs={"slug": "acme", "uid": powered.uid})
    assert f'href="{snapshot}?channel=2&stream=mainStream"' in powered_row
    assert "#recordings" in battery_row and "Snapshot" not in battery_row


def test_it_shows_the_count_of_folded_alarms(client_of, victor, acme, acme_camera):
    alarm(acme, acme_camera, count=7)
    assert b"\xc3\x977" in client_of(victor).get(feed()).content  # "×7"


def test_it_shows_a_devices_alarms_on_its_page(client_of, victor, acme, acme_camera, bolt):
    mine = alarm(acme, acme_camera, ai_types=["face"])
    alarm(acme, uid="95270000ACME0009")
    client = client_of(victor)
    page = client.get(reverse("device_detail", kwargs={"slug": "acme", "uid": acme_camera.uid})).content.decode()
    section = reverse("device_alarms", kwargs={"slug": "acme", "uid": acme_camera.uid})
    assert f'hx-get="{section}"' in page
    response = client.get(section, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert re.findall(r'data-alarm-id="(\d+)"', response.content.decode()) == [str(mine.id)]
    assert f"?device={acme_camera.uid}" in response.content.decode()


def test_it_links_the_feed_from_the_menu(client_of, victor, acme):
    content = client_of(victor).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert f'href="{feed()}"' in content


def test_it_asks_a_logged_out_feed_to_reload_instead_of_redirecting_the_poll(client, acme):
    response = client.get(f"{new()}?since=1", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Refresh"] == "true"


def test_it_shows_lan_motion_as_ongoing_until_the_poller_sees_it_end(client_of, victor, acme, acme_camera):
    going = alarm(acme, acme_camera, source=AlarmSource.LAN, ai_types=["people"])
    ended = alarm(acme, acme_camera, source=AlarmSource.LAN, channel=1, ended_at=timezone.now())
    alarm(acme, acme_camera, status="blind")  # a webhook alarm: no end is ever known
    page = client_of(victor).get(feed()).content.decode()
    rows = {int(i): row for i, row in re.findall(r'<tr data-alarm-id="(\d+)"(.*?)</tr>', page, re.S)}
    assert "ongoing" in rows[going.id] and "ended" not in rows[going.id]
    assert "ended" in rows[ended.id] and "ongoing" not in rows[ended.id]
    assert sum("ongoing" in row or "ended" in row for row in rows.values()) == 2
