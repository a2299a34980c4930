"""Snapshots and live view against ropsim over real HTTP."""

import logging

from audit.models import AuditEntry

from .device_page_tools import htmx, page_device, rate_limit_everything, set_faults, url
from .simtools import control, go_offline


def snapshots_taken(sim) -> int:
    """ROP snapshot requests ropsim answered (its per-route counters)."""
    counters = control(sim, "GET", "/counters")
    return sum(entry["count"] for route, entry in counters.items() if "snapshot.jpg" in route)


# --- snapshot ------------------------------------------------------------------------------


def test_it_points_the_snapshot_fragment_at_the_consoles_own_jpeg(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    client = client_of(victor)
    response = htmx(client).get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<img" in html and f"/p/acme/devices/{device.uid}/snapshot.jpg?channel=0&amp;stream=subStream" in html
    assert sim.base_url not in html and "sim-token" not in html and "Refresh" in html
    src = html.split('<img src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    image = client.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"  # a JPEG


def test_it_caches_snapshots_briefly_and_takes_a_new_one_on_refresh(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    client = htmx(client_of(victor))
    start = snapshots_taken(sim)
    first = client.get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"}).content.decode()
    second = client.get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"}).content.decode()
    src = first.split('<img src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert client_of(victor).get(src).status_code == 200
    assert snapshots_taken(sim) - start == 1  # the page, a second look and the <img> share one ROP call
    assert first.split('<img src="', 1)[1].split('"', 1)[0] == second.split('<img src="', 1)[1].split('"', 1)[0]
    client.get(url("device_snapshot", device), {"channel": 0, "stream": "subStream", "refresh": "1"})
    assert snapshots_taken(sim) - start == 2
    # Another stream type is another picture.
    client.get(url("device_snapshot", device), {"channel": 0, "stream": "mainStream"})
    assert snapshots_taken(sim) - start == 3


def test_it_explains_an_offline_device_instead_of_a_broken_image(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    go_offline(sim, device.uid)
    client = client_of(victor)
    html = htmx(client).get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"}).content.decode()
    assert "The device is offline." in html and "<img" not in html
    image = client.get(url("device_snapshot_image", device, channel=0, stream="subStream"))
    assert image.status_code == 404 and image["Content-Type"].startswith("text/plain")


def test_it_refuses_a_channel_the_device_lacks_in_the_form(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False, channels=1)
    html = (
        htmx(client_of(victor))
        .get(url("device_snapshot", device), {"channel": 3, "stream": "subStream"})
        .content.decode()
    )
    assert 'class="field-error"' in html and "<img" not in html
    html = (
        htmx(client_of(victor))
        .get(url("device_snapshot", device), {"channel": 0, "stream": "hdStream"})
        .content.decode()
    )
    assert 'class="field-error"' in html


def test_it_explains_an_nvr_channel_missing_on_the_device(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, channels=8)
    device.channel_count = 16  # the console believes in more channels than the NVR has
    device.save()
    html = (
        htmx(client_of(victor))
        .get(url("device_snapshot", device), {"channel": 12, "stream": "subStream"})
        .content.decode()
    )
    assert "The device has no such channel." in html


def test_it_says_when_a_snapshot_is_rate_limited(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    rate_limit_everything(sim)
    html = (
        htmx(client_of(victor))
        .get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"})
        .content.decode()
    )
    assert "rate limiting the console" in html


def test_it_never_snapshots_battery_cameras_on_page_load(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=True)
    html = client_of(victor).get(url("device_detail", device)).content.decode()
    assert url("device_snapshot", device) in html
    snapshot_section = html.split('id="snapshot"', 1)[1].split("</article>", 1)[0]
    assert 'hx-trigger="load"' not in snapshot_section and "Take a snapshot" in snapshot_section


def test_it_answers_404_for_other_partners_snapshots(client_of, alice, acme, bolt_camera):
    client = client_of(alice)
    for name in ("device_snapshot", "device_snapshot_image", "device_live"):
        response = client.get(f"/p/acme/devices/{bolt_camera.uid}/" + url(name, bolt_camera).split("/", 5)[5])
        assert response.status_code == 404, name


# --- live view -----------------------------------------------------------------------------


def test_it_gives_viewers_a_live_address_with_a_countdown_never_logged_nor_audited(
    sim, acme_on_sim, client_of, victor, caplog
):
    device = page_device(sim, acme_on_sim, battery=False)
    caplog.set_level(logging.DEBUG)
    response = htmx(client_of(victor)).get(url("device_live", device), {"channel": 0, "stream": "externStream"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    play_url = html.split('id="live-url" readonly value="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert play_url.startswith("rtsp://")
    assert 'data-expires-in="30"' in html and 'data-copy="#live-url"' in html
    signature = play_url.rsplit("/", 1)[1]
    for record in caplog.records:
        assert signature not in record.getMessage()
    assert signature not in caplog.text
    entry = AuditEntry.objects.get(action="device.live_session")
    assert entry.params == {"channel": 0, "stream_type": "externStream"} and entry.user == victor
    assert signature not in str(entry.params) and signature not in entry.message


def test_it_explains_and_audits_live_view_of_an_offline_device_without_a_url(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, battery=False)
    go_offline(sim, device.uid)
    html = (
        htmx(client_of(olga)).get(url("device_live", device), {"channel": 0, "stream": "mainStream"}).content.decode()
    )
    assert "The device is offline." in html and "rtsp://" not in html
    assert AuditEntry.objects.get(action="device.live_session").result == "offline"


def test_it_rejects_an_unknown_live_stream_type(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, battery=False)
    html = htmx(client_of(olga)).get(url("device_live", device), {"channel": 0, "stream": "4k"}).content.decode()
    assert 'class="field-error"' in html and "rtsp://" not in html
    assert not AuditEntry.objects.exists()


def test_it_refuses_post_on_live_view(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False)
    assert client_of(victor).post(url("device_live", device), {"channel": 0}).status_code == 405


def test_it_explains_a_battery_camera_that_does_not_wake(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=True)
    control(sim, "POST", f"/devices/{device.uid}/sleep")
    set_faults(sim, wake_failure_rate=1)
    html = (
        htmx(client_of(victor))
        .get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"})
        .content.decode()
    )
    assert "The battery camera did not wake up. Try again later." in html and "<img" not in html
