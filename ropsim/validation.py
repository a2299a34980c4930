"""Input validation shared by the route modules.

The Core Server validates path parameters, then the JSON body, then the query
string, and only then looks at the device, its sessions or files; any failure is
400 invalid_parameter (rop-core-server-facts.md, "Validation as the real server
does it"). Handlers call these helpers in that order. Types are exact: booleans
only as JSON booleans, enum values only in the spelling the facts list (no case
folding: a client sending "Inc" must fail here as it fails in the field).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from aiohttp import web

from ropsim.errors import invalid
from ropsim.fleet import UID_RE

__all__ = [
    "COUNTRY_RE",
    "DEVICE_NAME_RE",
    "MAX_CHANNEL",
    "RECORDING_STREAM_TYPES",
    "STREAM_TYPES",
    "UID_RE",
    "body_bool",
    "body_choice",
    "body_int",
    "body_str",
    "channel_field",
    "country_code",
    "json_body",
    "query_choice",
    "query_int",
    "optional_query_str",
    "query_str",
    "scan_session_id_param",
    "uid_param",
    "upgrade_session_id_param",
    "wifi_key",
    "wifi_ssid",
]

# deviceName: 1-31 half-width letters, digits, spaces, hyphens; no leading/trailing space.
DEVICE_NAME_RE = re.compile(r"^[A-Za-z0-9-](?:[A-Za-z0-9 -]{0,29}[A-Za-z0-9-])?$")
# SSIDs/keys: letters, digits and the spec's special characters (union of its tables).
_WIFI_CHARS = re.compile(r"""^[A-Za-z0-9!@#$%^&*()\-=_+\[\]{} ;:'",./<>?|\\`~]*$""")
# Two upper-case letters: the real server refuses "us" (for setting WiFi and for testing it).
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_CHANNEL = 31
# Patterns are applied with fullmatch: "$" alone would let a trailing newline through.
# WiFi scan session ids as the server issues them (32 letters/digits), checked before any
# look-up: a wrong shape is invalid_parameter, not session_not_found. Upgrade session ids are
# not checked for shape: the real server answers any id it does not know ("abc" included)
# with 404 session_not_found.
SCAN_SESSION_RE = re.compile(r"^[A-Za-z0-9]{32}$")


def uid_param(request: web.Request) -> str:
    uid = request.match_info["uid"]
    if not UID_RE.fullmatch(uid):
        raise invalid("Invalid parameter uid")
    return uid


def scan_session_id_param(request: web.Request) -> str:
    session_id = request.match_info["sessionId"]
    if not SCAN_SESSION_RE.fullmatch(session_id):
        raise invalid("Invalid parameter session id")
    return session_id


def upgrade_session_id_param(request: web.Request) -> str:
    """Any id: the session table is the only judge (an unknown one is session_not_found)."""
    return request.match_info["sessionId"]


async def json_body(request: web.Request, *, optional: bool = False) -> dict[str, Any]:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise invalid("Request body too large") from None
    if not raw.strip():
        if optional:
            return {}
        raise invalid("Request body is required")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("Request body must be a JSON object")
    return body


def _missing(name: str) -> Exception:
    return invalid(f"Missing parameter {name}")


def _bad(name: str) -> Exception:
    return invalid(f"Invalid parameter {name}")


def body_bool(body: Mapping[str, Any], name: str) -> bool:
    if name not in body:
        raise _missing(name)
    value = body[name]
    if isinstance(value, bool):
        return value
    raise _bad(name)  # the string "true" included


def body_int(body: Mapping[str, Any], name: str, lo: int, hi: int) -> int:
    if name not in body:
        raise _missing(name)
    value = body[name]
    # JSON numbers only, True is not one. 3.0 is 3: the Core Server is Node.js, whose
    # JSON.parse cannot tell them apart.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(name)
    if isinstance(value, float):
        if not value.is_integer():
            raise _bad(name)
        value = int(value)
    if not lo <= value <= hi:
        raise _bad(name)
    return value


def body_str(
    body: Mapping[str, Any], name: str, min_len: int, max_len: int, pattern: re.Pattern[str] | None = None
) -> str:
    if name not in body:
        raise _missing(name)
    value = body[name]
    if not isinstance(value, str):
        raise _bad(name)
    if not min_len <= len(value.encode()) <= max_len:
        raise _bad(name)
    if pattern is not None and not pattern.fullmatch(value):
        raise _bad(name)
    return value


def _pick(value: Any, name: str, choices: Collection[str]) -> str:
    """An enum value in exactly one of its listed spellings ("Inc" and "rightUP" are not)."""
    if isinstance(value, str) and value in choices:
        return value
    raise _bad(name)


def body_choice(body: Mapping[str, Any], name: str, choices: Collection[str]) -> str:
    if name not in body:
        raise _missing(name)
    return _pick(body[name], name, choices)


def channel_field(body: Mapping[str, Any]) -> int:
    # Required wherever the document lists a channel (PTZ calls included, whose
    # necessity column is blank): the real server refuses a body without one.
    return body_int(body, "channel", 0, MAX_CHANNEL)


def country_code(body: Mapping[str, Any]) -> str:
    return body_str(body, "countryCode", 2, 2, COUNTRY_RE)


def wifi_ssid(body: Mapping[str, Any]) -> str:
    return body_str(body, "ssid", 1, 127, _WIFI_CHARS)


def wifi_key(body: Mapping[str, Any]) -> str:
    return body_str(body, "key", 0, 127, _WIFI_CHARS)


# -- query string --------------------------------------------------------------------
def query_int(query: Mapping[str, str], name: str, lo: int, hi: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        raise _missing(name)
    # ASCII digits: Python's \d also matches "٣" and "０", which the real server refuses.
    if not re.fullmatch(r"[0-9]{1,10}", raw):
        raise _bad(name)
    value = int(raw)
    if not lo <= value <= hi:
        raise _bad(name)
    return value


def query_choice(query: Mapping[str, str], name: str, choices: Collection[str]) -> str:
    raw = query.get(name)
    if raw is None:
        raise _missing(name)
    return _pick(raw, name, choices)


def query_str(query: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    raw = query.get(name)
    if raw is None:
        raise _missing(name)
    if not pattern.fullmatch(raw):
        raise _bad(name)
    return raw


def optional_query_str(query: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str | None:
    return None if name not in query else query_str(query, name, pattern)


STREAM_TYPES = ("mainStream", "externStream", "subStream")  # live view and snapshots
RECORDING_STREAM_TYPES = ("mainStream", "subStream")  # externStream is invalid_parameter for recordings
