"""The webhook side: turning the Core Server's alarm POST into an AlarmNotification.

The Core Server POSTs to the partner's ROP_ALARM_WEBHOOK address (authentication of
that call is the webhook view's business, not this parser's). The document's field
names are odd ("channelId" as a string, "AItpe" misspelt); the parser accepts them
and the plausible corrected spellings so a fixed Core Server keeps working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidAlarmNotification
from .models import AlarmNotification
from .validation import UID_PATTERN

__all__ = ["ALARM_STATUSES", "AI_TYPES", "parse_alarm_notification"]

#: Canonical spellings of the alarm status.
ALARM_STATUSES = ("none", "MD", "videoLoss", "blind", "IOAlarm")
_STATUS_BY_LOWER = {s.lower(): s for s in ALARM_STATUSES}

#: Smart alarm types the document lists ("none" means no smart type).
AI_TYPES = ("none", "people", "vehicle", "face", "other", "dog_cat")

_AI_TYPE_KEYS = ("AItpe", "AItype", "AIType", "aiType", "ai_type", "aiTypes", "ai_types")
_CHANNEL_KEYS = ("channelId", "channel_id", "channel")
# ASCII digits only: str.isdigit() says yes to "²", which int() then refuses.
_CHANNEL_TEXT = re.compile(r"[0-9]{1,2}")
_AI_TYPE_TOKEN = re.compile(r"[A-Za-z0-9_]{1,32}")
_MAX_BODY = 64 * 1024


def _fail(message: str) -> InvalidAlarmNotification:
    return InvalidAlarmNotification(f"invalid alarm notification: {message}")


def _decode(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
        if len(raw) > _MAX_BODY:
            raise _fail(f"body is larger than {_MAX_BODY} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("body is not UTF-8") from None
    elif isinstance(body, str):
        text = body
        if len(text) > _MAX_BODY:
            raise _fail(f"body is larger than {_MAX_BODY} bytes")
    else:
        raise _fail(f"body must be bytes, str or dict, got {type(body).__name__}")
    if not text.strip():
        raise _fail("body is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"body is not JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(data, dict):
        raise _fail(f"body must be a JSON object, got {type(data).__name__}")
    return data


def _first(data: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[bool, Any]:
    for key in keys:
        if key in data:
            return True, data[key]
    return False, None


def _parse_channel(data: Mapping[str, Any]) -> int:
    found, value = _first(data, _CHANNEL_KEYS)
    if not found:
        raise _fail("channelId is missing")
    # The document types channelId as "a string of 2 bytes" ("0", "12"); accept ints too.
    if isinstance(value, bool):
        raise _fail(f"channelId must be a number, got {value!r}")
    if isinstance(value, int):
        channel = value
    elif isinstance(value, str) and _CHANNEL_TEXT.fullmatch(value.strip()):
        channel = int(value.strip())
    else:
        raise _fail(f"channelId must be a channel number 0-31, got {value!r}")
    if not 0 <= channel <= 31:
        raise _fail(f"channelId must be between 0 and 31, got {channel}")
    return channel


def _parse_ai_types(data: Mapping[str, Any]) -> list[str]:
    found, value = _first(data, _AI_TYPE_KEYS)
    if not found or value is None:
        return []
    if isinstance(value, str):
        tokens = [t.strip() for t in value.split(",")]
    elif isinstance(value, list) and all(isinstance(t, str) for t in value):
        tokens = [t.strip() for t in value]
    else:
        raise _fail(f"AItpe must be a comma-separated string, got {type(value).__name__}")
    types: list[str] = []
    for token in tokens:
        if not token or token.lower() == "none":
            continue
        # Unknown types are kept (a newer camera may report more) but must look like
        # a type name, not arbitrary text that ends up in the console's pages.
        if not _AI_TYPE_TOKEN.fullmatch(token):
            raise _fail(f"AItpe holds an invalid type name {token[:40]!r}")
        if token not in types:
            types.append(token)
    return types


def parse_alarm_notification(body: bytes | str | Mapping[str, Any]) -> AlarmNotification:
    """Parse the body of an alarm POST from the Core Server.

    ``body`` is the raw request body (bytes or str) or already-decoded JSON (dict).
    Raises :class:`rop.errors.InvalidAlarmNotification` (an InvalidParameter) with a
    message saying what is wrong.
    """
    data = _decode(body)
    uid = data.get("uid")
    if not isinstance(uid, str) or not UID_PATTERN.fullmatch(uid):
        raise _fail(f"uid must be 16 upper-case letters or digits, got {uid!r}"[:120])
    if "status" not in data:
        raise _fail("status is missing")
    status = data["status"]
    if not isinstance(status, str):
        raise _fail(f"status must be a string, got {type(status).__name__}")
    canonical = _STATUS_BY_LOWER.get(status.strip().lower())
    if canonical is None:
        raise _fail(f"status must be one of {', '.join(ALARM_STATUSES)}, got {status[:40]!r}")
    return AlarmNotification(
        uid=uid,
        channel=_parse_channel(data),
        status=canonical,
        ai_types=_parse_ai_types(data),
    )
