"""Input validation shared by the route modules.

The Core Server validates path parameters, then the JSON body, then the query
string; any failure is 400 invalid_parameter. Handlers call these helpers in
that order. Booleans are strict (JSON true/false) unless a helper says otherwise:
the spec's tables type them as boolean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from ropsim.errors import invalid
from ropsim.fleet import UID_RE

# deviceName: 1-31 half-width letters, digits, spaces, hyphens; no leading/trailing space.
DEVICE_NAME_RE = re.compile(r"^[A-Za-z0-9-](?:[A-Za-z0-9 -]{0,29}[A-Za-z0-9-])?$")
# SSIDs/keys: letters, digits and the spec's special characters (union of its tables).
_WIFI_CHARS = re.compile(r"""^[A-Za-z0-9!@#$%^&*()\-=_+\[\]{} ;:'",./<>?|\\`~]*$""")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
MAX_CHANNEL = 31


def uid_param(request: web.Request) -> str:
    uid = request.match_info["uid"]
    if not UID_RE.match(uid):
        raise invalid("Invalid parameter uid")
    return uid


def session_id_param(request: web.Request) -> str:
    session_id = request.match_info["sessionId"]
    if not 1 <= len(session_id) <= 255:
        raise invalid("Invalid parameter session id")
    return session_id


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


def body_bool(body: Mapping[str, Any], name: str, *, accept_strings: bool = False) -> bool:
    if name not in body:
        raise _missing(name)
    value = body[name]
    if isinstance(value, bool):
        return value
    if accept_strings and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad(name)


def body_int(body: Mapping[str, Any], name: str, lo: int, hi: int, *, default: int | None = None) -> int:
    if name not in body or body[name] is None:
        if default is not None:
            return default
        raise _missing(name)
    value = body[name]
    # JSON numbers only; 3.0 is tolerated (some JSON encoders emit it), True is not.
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
    if pattern is not None and not pattern.match(value):
        raise _bad(name)
    return value


def pick_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Case-insensitive enum match returning the canonical spelling (accepts "Inc", "rightUP")."""
    if isinstance(value, str):
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
    raise _bad(name)


def body_choice(body: Mapping[str, Any], name: str, choices: Iterable[str]) -> str:
    if name not in body:
        raise _missing(name)
    return pick_choice(body[name], name, choices)


def channel_field(body: Mapping[str, Any], *, required: bool) -> int:
    return body_int(body, "channel", 0, MAX_CHANNEL, default=None if required else 0)


def country_code(body: Mapping[str, Any]) -> str:
    # The WiFi test example sends "us": accept either case, store the spec's capitals.
    return body_str(body, "countryCode", 2, 2, COUNTRY_RE).upper()


def wifi_ssid(body: Mapping[str, Any]) -> str:
    return body_str(body, "ssid", 1, 127, _WIFI_CHARS)


def wifi_key(body: Mapping[str, Any]) -> str:
    return body_str(body, "key", 0, 127, _WIFI_CHARS)


# -- query string --------------------------------------------------------------------
def query_int(query: Mapping[str, str], name: str, lo: int, hi: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        raise _missing(name)
    if not re.fullmatch(r"\d{1,10}", raw.strip()):
        raise _bad(name)
    value = int(raw)
    if not lo <= value <= hi:
        raise _bad(name)
    return value


def query_choice(query: Mapping[str, str], name: str, choices: Iterable[str]) -> str:
    raw = query.get(name)
    if raw is None:
        raise _missing(name)
    return pick_choice(raw, name, choices)


def query_str(query: Mapping[str, str], name: str, pattern: re.Pattern[str], *, required: bool = True) -> str | None:
    raw = query.get(name)
    if raw is None:
        if required:
            raise _missing(name)
        return None
    if not pattern.match(raw):
        raise _bad(name)
    return raw


STREAM_TYPES = ("mainStream", "externStream", "subStream")
