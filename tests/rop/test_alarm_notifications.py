"""parse_alarm_notification: the webhook side (pure parsing, no HTTP involved)."""

from __future__ import annotations

import json

import pytest

from rop import AlarmNotification, errors, parse_alarm_notification

DOCUMENT_EXAMPLE = {"uid": "952700000A5S348E", "channelId": "0", "status": "none", "AItpe": "dog_cat"}


def test_it_parses_the_documents_example_from_bytes_str_and_dict():
    expected = AlarmNotification(uid="952700000A5S348E", channel=0, status="none", ai_types=["dog_cat"])
    raw = json.dumps(DOCUMENT_EXAMPLE)
    assert parse_alarm_notification(raw.encode()) == expected
    assert parse_alarm_notification(raw) == expected
    assert parse_alarm_notification(DOCUMENT_EXAMPLE) == expected


def test_it_splits_comma_joined_ai_types_and_drops_none():
    body = {**DOCUMENT_EXAMPLE, "status": "MD", "AItpe": "people, vehicle,none"}
    assert parse_alarm_notification(body).ai_types == ["people", "vehicle"]
    assert parse_alarm_notification({**DOCUMENT_EXAMPLE, "AItpe": "none"}).ai_types == []


def test_it_accepts_corrected_spellings_of_the_misspelt_fields():
    body = {"uid": "952700000A5S348E", "channel": 12, "status": "videoloss", "AIType": ["face"]}
    parsed = parse_alarm_notification(body)
    assert parsed.channel == 12
    assert parsed.status == "videoLoss"
    assert parsed.ai_types == ["face"]


def test_it_reads_a_missing_ai_type_as_no_smart_type():
    body = {"uid": "952700000A5S348E", "channelId": "3", "status": "IOAlarm"}
    assert parse_alarm_notification(body) == AlarmNotification("952700000A5S348E", 3, "IOAlarm", [])


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"", "empty"),
        (b"not json", "not JSON"),
        (b"\xff\xfe", "UTF-8"),
        ("[1, 2]", "JSON object"),
        ({"channelId": "0", "status": "MD"}, "uid"),
        ({**DOCUMENT_EXAMPLE, "uid": "952700000a5s348e"}, "uid"),
        ({**DOCUMENT_EXAMPLE, "channelId": "x"}, "channelId"),
        ({**DOCUMENT_EXAMPLE, "channelId": "40"}, "channelId"),
        ({"uid": "952700000A5S348E", "status": "MD"}, "channelId is missing"),
        ({**DOCUMENT_EXAMPLE, "status": "fire"}, "status"),
        ({"uid": "952700000A5S348E", "channelId": "0"}, "status is missing"),
        ({**DOCUMENT_EXAMPLE, "AItpe": 5}, "AItpe"),
        ({**DOCUMENT_EXAMPLE, "AItpe": "<script>"}, "AItpe"),
        (12, "bytes, str or dict"),
    ],
)
def test_it_raises_invalid_parameter_for_malformed_notifications_saying_what_is_wrong(body, complaint):
    with pytest.raises(errors.InvalidParameter) as caught:
        parse_alarm_notification(body)
    assert isinstance(caught.value, errors.InvalidAlarmNotification)
    assert complaint in caught.value.message
    assert caught.value.http_status is None


def test_it_parses_the_alarm_posts_ropsim_delivers_to_a_webhook(faults, control):
    """End to end: ropsim POSTs its alarms to a webhook address; the raw bodies parse."""
    import http.server
    import threading
    import time

    received: list[bytes] = []

    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        nvr = control.add_device("NVR RLN8-410")
        faults.faults(callback_url=f"http://127.0.0.1:{server.server_port}/hooks/rop", authcode="s3cr3t")
        control.raise_alarm(nvr, channel=5, status="MD", aiTypes=["people", "vehicle"])
        control.raise_alarm(nvr, channel=0, status="IOAlarm")
        deadline = time.monotonic() + 5
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        server.shutdown()
        server.server_close()
    parsed = sorted((parse_alarm_notification(body) for body in received), key=lambda a: a.channel)
    assert parsed == [
        AlarmNotification(uid=nvr, channel=0, status="IOAlarm", ai_types=[]),
        AlarmNotification(uid=nvr, channel=5, status="MD", ai_types=["people", "vehicle"]),
    ]
