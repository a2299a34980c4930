"""Recordings (calendar, pages, playback) and media (live sessions, snapshots)."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
from typing import Any

import pytest
from PIL import Image

from ropsim import recordings
from tests.ropsim.conftest import SEED, Api, symbol

RTSP_RE = re.compile(r"^rtsp://127\.0\.0\.1:61008/v1\.0/videos/([A-Z0-9]{16})/(\d+)/([A-Za-z0-9_]{32})$")


def today(api: Api) -> dt.date:
    return dt.datetime.fromtimestamp(api.sim.now(), dt.UTC).date()


def day_query(day: dt.date, channel: int = 0, stream: str = "mainStream", **extra: str) -> dict[str, object]:
    return {
        "channel": channel,
        "stream_type": stream,
        "record_date": day.isoformat(),
        "start_at": "00:00:00",
        "end_at": "23:59:59",
        **extra,
    }


def busy_day(uid: str, channel: int, now: dt.datetime) -> dt.date:
    """A past day with more than 80 clips (three pages)."""
    day = now.date() - dt.timedelta(days=1)
    for _ in range(400):
        if len(recordings.day_recordings(SEED, uid, channel, day, "mainStream", now)) > 80:
            return day
        day -= dt.timedelta(days=1)
    raise AssertionError("no busy day found")


@pytest.fixture(scope="module")
def camera(shared: Api) -> str:
    return shared.add("RLC-810A", sdCard=True).uid


def test_it_lists_the_days_that_have_recordings_in_the_calendar(shared: Api, camera: str) -> None:
    t = today(shared)
    for path in ("calendar", "calendar/"):  # the table's path and the example's trailing slash
        r = shared.get(
            f"/v1.0/devices/{camera}/records/{path}", params={"channel": 0, "year": t.year, "month": t.month}
        )
        assert r.status_code == 200
        body = r.json()
        assert body["totalRows"] == len(body["items"]) > 0
        assert all(set(i) == {"channel", "date"} and i["channel"] == 0 for i in body["items"])


def test_it_keeps_the_calendar_in_agreement_with_the_day_lists(shared: Api, camera: str) -> None:
    prev = today(shared).replace(day=1) - dt.timedelta(days=1)
    cal = shared.get(
        f"/v1.0/devices/{camera}/records/calendar", params={"channel": 0, "year": prev.year, "month": prev.month}
    ).json()
    dates = {i["date"] for i in cal["items"]}
    for day in range(1, prev.day + 1):
        r = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(prev.replace(day=day)))
        assert (r.json()["totalRows"] > 0) == (day in dates)


def test_it_has_no_recordings_in_future_months(shared: Api, camera: str) -> None:
    r = shared.get(f"/v1.0/devices/{camera}/records/calendar", params={"channel": 0, "year": 2999, "month": 1})
    assert r.json() == {"totalRows": 0, "items": []}


@pytest.mark.parametrize(
    "params",
    [
        {"channel": 0, "year": 1999, "month": 1},
        {"channel": 0, "year": 2024},
        {"channel": 0, "year": 2024, "month": 13},
        {"year": 2024, "month": 1},
        {"channel": "x", "year": 2024, "month": 1},
    ],
)
def test_it_validates_the_calendar_query(shared: Api, camera: str, params: dict[str, object]) -> None:
    r = shared.get(f"/v1.0/devices/{camera}/records/calendar", params=params)
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_pages_a_busy_day_by_40_with_an_opaque_next_token(shared: Api, camera: str) -> None:
    now = dt.datetime.fromtimestamp(shared.sim.now(), dt.UTC).replace(tzinfo=None)
    day = busy_day(camera, 0, now)
    pages, token = [], None
    while True:
        params = day_query(day, **({"next_token": token} if token else {}))
        body = shared.get(f"/v1.0/devices/{camera}/records", params=params).json()
        pages.append(body)
        token = body.get("nextToken")
        if not token:
            break
        assert 1 <= len(token) <= 64
    assert len(pages) == 3
    assert [len(p["items"]) for p in pages][:2] == [40, 40]
    total = pages[0]["totalRows"]
    assert 80 < total <= 120 and all(p["totalRows"] == total for p in pages)
    items = [i for p in pages for i in p["items"]]
    assert len(items) == total and len({i["fileName"] for i in items}) == total
    item = items[0]
    assert set(item) == {"channel", "streamType", "startTime", "endTime", "fileName"}
    assert item["startTime"].startswith(day.isoformat()) and item["startTime"] < item["endTime"]
    assert [i["startTime"] for i in items] == sorted(i["startTime"] for i in items)


def test_it_refuses_a_next_token_from_another_query(shared: Api, camera: str) -> None:
    now = dt.datetime.fromtimestamp(shared.sim.now(), dt.UTC).replace(tzinfo=None)
    day = busy_day(camera, 0, now)
    token = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day)).json()["nextToken"]
    other = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day, stream="subStream", next_token=token))
    assert symbol(other) == "invalid_parameter"
    assert (
        symbol(shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day, next_token="garbage!")))
        == "invalid_parameter"
    )


def test_it_makes_recordings_deterministic_per_device_channel_and_day(make_api) -> None:
    a, b = make_api(), make_api()
    uid = a.device(lambda d: d.has_recordings).uid
    day = today(a) - dt.timedelta(days=3)
    ra = a.get(f"/v1.0/devices/{uid}/records", params=day_query(day)).json()
    rb = b.get(f"/v1.0/devices/{uid}/records", params=day_query(day)).json()
    assert ra == rb


def test_it_refuses_a_start_not_before_the_end(shared: Api, camera: str) -> None:
    day = today(shared)
    for start, end in (("10:00:00", "10:00:00"), ("11:00:00", "10:00:00")):
        r = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day, start_at=start, end_at=end))
        assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_refuses_the_examples_start_time_and_end_time_form(shared: Api, camera: str) -> None:
    day = today(shared) - dt.timedelta(days=2)
    assert shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day)).status_code == 200
    example = shared.get(
        f"/v1.0/devices/{camera}/records",
        params={
            "channel": 0,
            "stream_type": "mainStream",
            "start_time": f"{day} 00:00:00",
            "end_time": f"{day} 23:59:59",
        },
    )
    assert example.status_code == 400 and symbol(example) == "invalid_parameter"


def test_it_filters_clips_to_a_window_within_the_day(shared: Api, camera: str) -> None:
    day = today(shared) - dt.timedelta(days=2)
    body = shared.get(
        f"/v1.0/devices/{camera}/records", params=day_query(day, start_at="06:00:00", end_at="12:00:00")
    ).json()
    for item in body["items"]:
        assert item["endTime"] >= f"{day} 06:00:00" and item["startTime"] <= f"{day} 12:00:00"


@pytest.mark.parametrize("missing", ["channel", "stream_type", "record_date", "start_at", "end_at"])
def test_it_requires_each_query_parameter_of_the_day_list(shared: Api, camera: str, missing: str) -> None:
    params = day_query(today(shared))
    del params[missing]
    assert symbol(shared.get(f"/v1.0/devices/{camera}/records", params=params)) == "invalid_parameter"


def test_it_refuses_extern_stream_recordings(shared: Api, camera: str) -> None:
    r = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(today(shared), stream="externStream"))
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_answers_cmd_not_support_for_devices_without_an_sd_card(api: Api) -> None:
    no_slot = api.add("Argus 2")  # the model has no card slot
    no_card = api.add("RLC-810A", sdCard=False)
    for uid in (no_slot.uid, no_card.uid):
        for resp in (
            api.get(f"/v1.0/devices/{uid}/records/calendar", params={"channel": 0, "year": 2024, "month": 1}),
            api.get(f"/v1.0/devices/{uid}/records", params=day_query(today(api))),
            api.post(f"/v1.0/devices/{uid}/records/play-session", json={"channel": 0, "fileName": "/x.mp4"}),
        ):
            assert resp.status_code == 400 and symbol(resp) == "cmd_not_support"


def test_it_records_an_nvr_per_channel_and_rejects_channel_eight(api: Api) -> None:
    nvr = api.add("NVR RLN8-410")
    t = today(api)
    ok = api.get(f"/v1.0/devices/{nvr.uid}/records/calendar", params={"channel": 7, "year": t.year, "month": t.month})
    assert ok.status_code == 200
    r = api.get(f"/v1.0/devices/{nvr.uid}/records/calendar", params={"channel": 8, "year": t.year, "month": t.month})
    assert r.status_code == 404 and symbol(r) == "device_channel_not_found"


def test_it_returns_a_signed_rtsp_url_for_playback(shared: Api, camera: str) -> None:
    day = today(shared) - dt.timedelta(days=1)
    items: list[dict[str, Any]] = []
    while not items:
        items = shared.get(f"/v1.0/devices/{camera}/records", params=day_query(day)).json()["items"]
        day -= dt.timedelta(days=1)
    r = shared.post(
        f"/v1.0/devices/{camera}/records/play-session", json={"channel": 0, "fileName": items[0]["fileName"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"playURL", "expiredIn"} and body["expiredIn"] == 30
    m = RTSP_RE.match(body["playURL"])
    assert m and m.group(1) == camera
    assert shared.sim.check_play_url(body["playURL"]) is not None
    tampered = body["playURL"][:-1] + ("x" if body["playURL"][-1] != "x" else "y")
    assert shared.sim.check_play_url(tampered) is None


def test_it_answers_file_not_found_for_playback_of_an_unknown_file(shared: Api, camera: str) -> None:
    r = shared.post(
        f"/v1.0/devices/{camera}/records/play-session",
        json={"channel": 0, "fileName": "/mnt/sda/Mp4Record/2020-01-01/nothing.mp4"},
    )
    assert r.status_code == 404 and symbol(r) == "file_not_found"
    assert (
        symbol(shared.post(f"/v1.0/devices/{camera}/records/play-session", json={"channel": 0})) == "invalid_parameter"
    )


def test_it_returns_a_live_view_url_that_expires_after_30_seconds(api: Api) -> None:
    uid = api.add("RLC-810A").uid
    for stream in ("mainStream", "externStream", "subStream"):
        r = api.post(f"/v1.0/devices/{uid}/live/play-session", json={"channel": 0, "streamType": stream})
        assert r.status_code == 200
        body = r.json()
        assert body["expiredIn"] == 30 and RTSP_RE.match(body["playURL"])
    assert api.sim.check_play_url(body["playURL"]) is not None
    api.advance(31)
    assert api.sim.check_play_url(body["playURL"]) is None


@pytest.mark.parametrize(
    "body", [{"channel": 0}, {"streamType": "mainStream"}, {"channel": 0, "streamType": "hugeStream"}]
)
def test_it_validates_the_live_view_body(shared: Api, camera: str, body: dict[str, object]) -> None:
    assert symbol(shared.post(f"/v1.0/devices/{camera}/live/play-session", json=body)) == "invalid_parameter"


def test_it_returns_snapshots_as_jpegs_sized_by_stream_type(shared: Api, camera: str) -> None:
    sizes = {}
    for stream in ("mainStream", "externStream", "subStream"):
        r = shared.get(f"/v1.0/devices/{camera}/snap/snapshot.jpg", params={"channel": 0, "stream_type": stream})
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
        img = Image.open(io.BytesIO(r.content))
        assert img.format == "JPEG"
        sizes[stream] = img.size
    assert sizes["mainStream"][0] > sizes["externStream"][0] > sizes["subStream"][0]


def test_it_takes_a_different_snapshot_per_channel(api: Api) -> None:
    nvr = api.add("NVR RLN8-410")
    shots = [
        api.get(
            f"/v1.0/devices/{nvr.uid}/snap/snapshot.jpg", params={"channel": ch, "stream_type": "subStream"}
        ).content
        for ch in (0, 1)
    ]
    assert shots[0] != shots[1]


def test_it_validates_snapshot_queries(shared: Api, camera: str) -> None:
    for params in ({"channel": 0}, {"stream_type": "subStream"}, {"channel": 0, "stream_type": "x"}):
        r = shared.get(f"/v1.0/devices/{camera}/snap/snapshot.jpg", params=params)
        assert symbol(r) == "invalid_parameter"


def test_it_answers_duplicate_snap_for_a_second_snapshot_of_a_channel_in_flight(make_api) -> None:
    api = make_api(latency_ms=300)
    uid = api.add("RLC-810A").uid
    url = api.url(f"/v1.0/devices/{uid}/snap/snapshot.jpg?channel=0&stream_type=subStream")
    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(api.http.get(url, timeout=10).status_code))
    first.start()
    time.sleep(0.1)
    r = api.http.get(url, timeout=10)
    first.join()
    assert results == [200]
    assert r.status_code == 400 and symbol(r) == "duplicate_snap"
