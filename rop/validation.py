"""Input rules of the ROP v1.0 interface document, in one place.

The client runs these before sending anything, so bad input never costs a request
(nor a wake-up of a battery camera), and the Django forms reuse them so a user sees
the same rule the client enforces. Every function returns the value to send (some
normalise, e.g. the country code to upper case) or raises
:class:`rop.errors.InvalidParameter` with a message that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .errors import InvalidParameter
from .models import PirConfig

__all__ = [
    "UID_PATTERN",
    "LIVE_STREAM_TYPES",
    "RECORDING_STREAM_TYPES",
    "SNAPSHOT_STREAM_TYPES",
    "DIRECTIONS",
    "PTZ_ACTIONS",
    "validate_uid",
    "validate_channel",
    "validate_speed",
    "validate_sensitivity",
    "validate_device_name",
    "validate_stream_type",
    "validate_direction",
    "validate_ptz_action",
    "validate_year",
    "validate_month",
    "validate_date",
    "validate_time_of_day",
    "validate_time_range",
    "validate_ssid",
    "validate_wifi_key",
    "validate_country_code",
    "validate_firmware_file_name",
    "validate_session_id",
    "validate_recording_file_name",
    "validate_bool",
    "validate_pir_config",
    "validate_header_name",
    "REFUSED_HEADER_NAMES",
]

UID_PATTERN = re.compile(r"[A-Z0-9]{16}")

#: Stream types per endpoint (the document's tables).
RECORDING_STREAM_TYPES = ("mainStream", "subStream")
LIVE_STREAM_TYPES = ("mainStream", "externStream", "subStream")
SNAPSHOT_STREAM_TYPES = LIVE_STREAM_TYPES

#: Canonical rotation directions, as the client sends them. The table writes
#: "None" and "rightUP"; the client accepts any case and sends camelCase
#: (docs/rop-spec-notes.md).
DIRECTIONS = ("none", "left", "right", "up", "down", "leftUp", "leftDown", "rightUp", "rightDown")
_DIRECTION_BY_LOWER = {d.lower(): d for d in DIRECTIONS}

PTZ_ACTIONS = ("inc", "dec")

# deviceName: 1-31 bytes of half-width letters, digits, spaces and hyphens, not
# starting or ending with a space.
_DEVICE_NAME_CHARS = re.compile(r"[A-Za-z0-9 \-]+")

# WiFi ssid/key characters: letters, digits and the table's special characters. The
# set-config table omits "_" and "{}" although its own example SSID is
# "TP-LINK_JIN"; the union of the tables is used.
_WIFI_SPECIALS = "!@#$%^&*()-=_+[]{} ;:'\",./<>?"
_WIFI_CHARS = re.compile("[A-Za-z0-9" + re.escape(_WIFI_SPECIALS) + "]*")

_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def _fail(message: str) -> InvalidParameter:
    return InvalidParameter(message)


def _byte_length(value: str) -> int:
    return len(value.encode("utf-8"))


def _require_int(value: Any, name: str) -> int:
    # bool is an int subclass: True must not pass as channel 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{name} must be an integer, got {value!r}")
    return value


def _require_str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"{name} must be a string, got {type(value).__name__}")
    return value


def _in_range(value: Any, name: str, low: int, high: int) -> int:
    number = _require_int(value, name)
    if not low <= number <= high:
        raise _fail(f"{name} must be between {low} and {high}, got {number}")
    return number


def validate_uid(uid: Any) -> str:
    """16 characters, upper-case letters and digits (``^[A-Z0-9]{16}$``)."""
    text = _require_str(uid, "uid")
    if not UID_PATTERN.fullmatch(text):
        raise _fail(f"uid must be 16 upper-case letters or digits, got {text!r}")
    return text


def validate_channel(channel: Any) -> int:
    return _in_range(channel, "channel", 0, 31)


def validate_speed(speed: Any) -> int:
    return _in_range(speed, "speed", 1, 64)


def validate_sensitivity(sensitivity: Any) -> int:
    return _in_range(sensitivity, "sensitivity", 0, 100)


def validate_year(year: Any) -> int:
    return _in_range(year, "year", 2000, 3000)


def validate_month(month: Any) -> int:
    return _in_range(month, "month", 1, 12)


def validate_bool(value: Any, name: str) -> bool:
    # A string "false" would be truthy; insist on a real bool.
    if not isinstance(value, bool):
        raise _fail(f"{name} must be True or False, got {value!r}")
    return value


def validate_device_name(name: Any) -> str:
    """1-31 bytes: letters, digits, spaces, hyphens (half-width); no leading or
    trailing space."""
    text = _require_str(name, "device name")
    if not text:
        raise _fail("device name must not be empty")
    if _byte_length(text) > 31:
        raise _fail(f"device name must be at most 31 bytes, got {_byte_length(text)}")
    if not _DEVICE_NAME_CHARS.fullmatch(text):
        bad = sorted({c for c in text if not _DEVICE_NAME_CHARS.fullmatch(c)})
        raise _fail(f"device name may only contain letters, digits, spaces and hyphens; not allowed: {''.join(bad)!r}")
    if text[0] == " " or text[-1] == " ":
        raise _fail("device name must not begin or end with a space")
    return text


def validate_stream_type(stream_type: Any, allowed: tuple[str, ...] = LIVE_STREAM_TYPES) -> str:
    """One of ``allowed``, spelled exactly (recordings accept only mainStream and
    subStream; live view and snapshots also externStream)."""
    text = _require_str(stream_type, "stream type")
    if text not in allowed:
        raise _fail(f"stream type must be one of {', '.join(allowed)}, got {text!r}")
    return text


def validate_direction(direction: Any) -> str:
    """A rotation direction; any letter case is accepted ("None", "rightUP"), the
    canonical camelCase spelling is returned."""
    text = _require_str(direction, "direction")
    canonical = _DIRECTION_BY_LOWER.get(text.lower())
    if canonical is None:
        raise _fail(f"direction must be one of {', '.join(DIRECTIONS)}, got {text!r}")
    return canonical


def validate_ptz_action(action: Any) -> str:
    """ "inc" or "dec" (the table capitalises "Inc"; sent lower case as in the examples)."""
    text = _require_str(action, "action").lower()
    if text not in PTZ_ACTIONS:
        raise _fail(f"action must be 'inc' or 'dec', got {action!r}")
    return text


def validate_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _fail(f"date must be a datetime.date, got {value!r}")
    return value


def validate_time_of_day(value: Any, name: str) -> str:
    """A ``datetime.time`` or "HH:MM:SS" string (24-hour clock); returns "HH:MM:SS"."""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    text = _require_str(value, name)
    try:
        parsed = dt.datetime.strptime(text, "%H:%M:%S")
    except ValueError:
        raise _fail(f"{name} must be a time as HH:MM:SS (24-hour clock), got {text!r}") from None
    return parsed.strftime("%H:%M:%S")


def validate_time_range(start: Any, end: Any) -> tuple[str, str]:
    start_text = validate_time_of_day(start, "start")
    end_text = validate_time_of_day(end, "end")
    # The Core Server rejects a range whose start is not before its end.
    if start_text >= end_text:
        raise _fail(f"start ({start_text}) must be before end ({end_text})")
    return start_text, end_text


def _validate_wifi_text(value: Any, name: str, min_bytes: int) -> str:
    text = _require_str(value, name)
    size = _byte_length(text)
    if not min_bytes <= size <= 127:
        raise _fail(f"{name} must be {min_bytes}-127 bytes, got {size}")
    if not _WIFI_CHARS.fullmatch(text):
        bad = sorted({c for c in text if not _WIFI_CHARS.fullmatch(c)})
        # Never echo the value itself: it may be a WiFi password.
        raise _fail(
            f"{name} may only contain letters, digits and {_WIFI_SPECIALS!r}; {len(bad)} other character(s) found"
        )
    return text


def validate_ssid(ssid: Any) -> str:
    return _validate_wifi_text(ssid, "ssid", 1)


def validate_wifi_key(key: Any) -> str:
    return _validate_wifi_text(key, "key", 0)


def validate_country_code(country_code: Any) -> str:
    """Two letters; returned upper case (the table wants capitals, an example sends "us")."""
    text = _require_str(country_code, "country code")
    if not _COUNTRY_CODE.fullmatch(text):
        raise _fail(f"country code must be two letters (e.g. US), got {text!r}")
    return text.upper()


def _validate_path_segment(value: Any, name: str) -> str:
    text = _require_str(value, name)
    if not text:
        raise _fail(f"{name} must not be empty")
    if _byte_length(text) > 255:
        raise _fail(f"{name} must be at most 255 bytes, got {_byte_length(text)}")
    if "/" in text or "\\" in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _fail(f"{name} must not contain slashes or control characters, got {text!r}")
    if text in (".", ".."):
        raise _fail(f"{name} must not be {text!r}")
    return text


def validate_firmware_file_name(file_name: Any) -> str:
    """A plain file name (no directories) of at most 255 bytes ending in .pak or .paks."""
    text = _validate_path_segment(file_name, "firmware file name")
    if not (text.endswith(".pak") or text.endswith(".paks")):
        raise _fail(f"firmware file name must end in .pak or .paks, got {text!r}")
    return text


def validate_session_id(session_id: Any) -> str:
    return _validate_path_segment(session_id, "session id")


def validate_recording_file_name(file_name: Any) -> str:
    """1-255 bytes. The table says letters, digits and underscores, but every example
    is a device path with slashes, dots and hyphens, so only the length is checked."""
    text = _require_str(file_name, "file name")
    if not 1 <= _byte_length(text) <= 255:
        raise _fail(f"file name must be 1-255 bytes, got {_byte_length(text)}")
    return text


def validate_pir_config(config: Any) -> PirConfig:
    if not isinstance(config, PirConfig):
        raise _fail(f"config must be a PirConfig, got {type(config).__name__}")
    validate_bool(config.enabled, "enabled")
    validate_sensitivity(config.sensitivity)
    validate_bool(config.reduce_mistakes, "reduce_mistakes")
    return config


# A header name is an RFC 9110 token.
_HEADER_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Names that steer the connection or the message's framing rather than carry a value:
# as the gateway credential's header they would let a partner admin redirect the
# request (Host), smuggle a second one (Content-Length, Transfer-Encoding) or talk to
# a proxy.
REFUSED_HEADER_NAMES = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "expect",
    }
)


def validate_header_name(name: Any) -> str:
    """The gateway credential's header name: a token, not a hop-by-hop, framing, Host
    or Proxy-* header."""
    if not isinstance(name, str) or not _HEADER_TOKEN.fullmatch(name):
        raise _fail("A header name is letters, digits and dashes (an HTTP token), with no spaces.")
    lower = name.lower()
    if lower in REFUSED_HEADER_NAMES or lower.startswith("proxy-"):
        raise _fail(f"{name} cannot carry the gateway token: it controls the connection, not the request.")
    return name
