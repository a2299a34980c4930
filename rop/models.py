"""What the ROP client returns: frozen dataclasses and enums with snake_case fields.

The ``from_json`` constructors accept every form the interface document shows for a
value (table and example disagree in places, see docs/rop-spec-notes.md) and raise
:class:`rop.errors.UnexpectedResponse` for anything else, so the rest of the console
only ever sees one spelling.

Secrets (the initialization ``code``, signed play URLs) are excluded from ``repr``
so that logging a model never leaks them.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import UnexpectedResponse

__all__ = [
    "Battery",
    "ChargeStatus",
    "InitializationSession",
    "OnlineDevice",
    "PirConfig",
    "Recording",
    "StreamSession",
    "UpgradeSession",
    "UpgradeStatus",
    "WifiConfig",
    "WifiNetwork",
    "WifiScan",
    "WifiScanStatus",
    "WifiScanTask",
    "AlarmNotification",
]


# --- lenient readers for values the document shows in several forms -------------------


def _optional(data: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    """The value of the first of ``names`` present (and not null) in ``data``: the
    document spells some fields more than one way."""
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return default


def require(data: Mapping[str, Any], *names: str) -> Any:
    """Like :func:`_optional`, but a missing field raises UnexpectedResponse."""
    value = _optional(data, *names)
    if value is None:
        raise UnexpectedResponse(f"response lacks the field {names[0]!r}", http_status=200)
    return value


def read_bool(value: Any, name: str) -> bool:
    # The alarm example answers "enabled": "true" (a string) where the table says boolean.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise UnexpectedResponse(f"{name} is not a boolean: {value!r}", http_status=200)


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,30}")


def read_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise UnexpectedResponse(f"{name} is not an integer: {value!r}", http_status=200)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    # ASCII digits only: int() also takes "1_000" and non-ASCII digits ("٣"), and
    # str.isdigit() says yes to "²", which int() then refuses.
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    raise UnexpectedResponse(f"{name} is not an integer: {value!r}", http_status=200)


def read_str(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise UnexpectedResponse(f"{name} is not a string: {value!r}", http_status=200)


def read_datetime(value: Any, name: str) -> dt.datetime:
    """ "2022-01-01 23:59:59" (the document's form; local time of the camera, so naive)."""
    text = read_str(value, name).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise UnexpectedResponse(f"{name} is not a date and time: {value!r}", http_status=200) from None


def utc_from_epoch(value: int, per_second: int = 1) -> dt.datetime | None:
    """An epoch time in 1/per_second seconds as an aware UTC datetime, or None (unknown)
    when it lies beyond the dates Python and the platform can hold: a server's odd clock
    value must not break the page that shows it."""
    try:
        return dt.datetime.fromtimestamp(value / per_second, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _lookup[E: enum.Enum](enum_cls: type[E], value: Any, name: str, aliases: Mapping[str, E]) -> E:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in aliases:
            return aliases[key]
        for member in enum_cls:
            if member.value.lower() == key:
                return member
    raise UnexpectedResponse(f"unknown {name}: {value!r}", http_status=200)


# --- device initialization -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InitializationSession:
    """Values a camera needs to join ROP (they reach it over the LAN)."""

    host: str
    get_ca_port: int
    get_cert_port: int
    register_port: int
    # The authorization code lets whoever holds it fetch the device's private key.
    code: str = field(repr=False)
    ca_hash: str
    #: The server's clock as sent. The table says milliseconds but its range
    #: (0-4294967295) and its example (1686822272) are seconds; kept raw, see
    #: :attr:`server_time`.
    time: int

    @property
    def server_time(self) -> dt.datetime | None:
        """``time`` as an aware UTC datetime, guessing seconds vs milliseconds; None
        when it is beyond any date."""
        return utc_from_epoch(self.time, 1000 if self.time > 10**11 else 1)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InitializationSession:
        return cls(
            host=read_str(require(data, "host"), "host"),
            get_ca_port=read_int(require(data, "getCAPort", "getCaPort"), "getCAPort"),
            get_cert_port=read_int(require(data, "getCertPort"), "getCertPort"),
            register_port=read_int(require(data, "registerPort"), "registerPort"),
            code=read_str(require(data, "code"), "code"),
            ca_hash=read_str(require(data, "caHash"), "caHash"),
            time=read_int(require(data, "time"), "time"),
        )


# --- firmware upgrade -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpgradeSession:
    session_id: str
    #: Seconds the session lives (60-3600).
    expired_in: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UpgradeSession:
        return cls(
            session_id=read_str(require(data, "sessionId"), "sessionId"),
            expired_in=read_int(require(data, "expiredIn", "expiresIn"), "expiredIn"),
        )


class UpgradeStatus(enum.StrEnum):
    """Status of a firmware upgrade session; values are the table's spellings."""

    UPGRADING = "upgrading"
    SUCCESS = "upgrade_success"
    SAME_VERSION = "same_version"
    FILE_CHECK_FAILED = "file_check_failed"
    OUT_OF_MEMORY = "out_of_memory"
    LOW_BATTERY = "low_battery"
    UNKNOWN_ERROR = "unknown_error"
    # Seen in the Core Server's code, not in the interface document: the device
    # refused the upgrade (device answer 403) / the device reported a focus error
    # (device answer 407). Both end the session without success.
    FAILED = "failed"
    FOCUS_ERROR = "focus_error"

    @property
    def is_final(self) -> bool:
        """True for every status but UPGRADING: polling can stop."""
        return self is not UpgradeStatus.UPGRADING

    @property
    def is_success(self) -> bool:
        return self is UpgradeStatus.SUCCESS

    @classmethod
    def parse(cls, value: Any) -> UpgradeStatus:
        # The example answers "success" where the table says "upgrade_success".
        return _lookup(cls, value, "upgrade status", {"success": cls.SUCCESS})


# --- devices ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnlineDevice:
    uid: str
    #: "battery" for battery-powered devices, "powered" for the others.
    family: str
    model: str
    firmware: str

    @property
    def is_battery(self) -> bool:
        return self.family == "battery"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OnlineDevice:
        return cls(
            uid=read_str(require(data, "uid"), "uid"),
            family=read_str(_optional(data, "family", default=""), "family").lower(),
            model=read_str(_optional(data, "model", default=""), "model"),
            firmware=read_str(_optional(data, "firmware", default=""), "firmware"),
        )


@dataclass(frozen=True, slots=True)
class PirConfig:
    enabled: bool
    #: 0-100.
    sensitivity: int
    #: The "reduce false alarms" switch.
    reduce_mistakes: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PirConfig:
        return cls(
            enabled=read_bool(require(data, "enabled"), "enabled"),
            # 0-100 by the table; a value beyond it is read as the nearest bound.
            sensitivity=max(0, min(100, read_int(require(data, "sensitivity"), "sensitivity"))),
            reduce_mistakes=read_bool(require(data, "reduceMistakes", "reduce_mistakes"), "reduceMistakes"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "sensitivity": self.sensitivity,
            "reduceMistakes": self.reduce_mistakes,
        }


# --- recordings and streams -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recording:
    channel: int
    #: The device's path of the file, to pass to create_playback_session.
    file_name: str
    stream_type: str
    #: Camera-local times (naive datetimes).
    start_time: dt.datetime
    end_time: dt.datetime

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recording:
        return cls(
            channel=read_int(require(data, "channel"), "channel"),
            file_name=read_str(require(data, "fileName", "file_name"), "fileName"),
            stream_type=read_str(_optional(data, "streamType", "stream_type", default=""), "streamType"),
            start_time=read_datetime(require(data, "startTime", "start_time"), "startTime"),
            end_time=read_datetime(require(data, "endTime", "end_time"), "endTime"),
        )


@dataclass(frozen=True, slots=True)
class StreamSession:
    """An RTSP address for live view or playback.

    Whoever holds ``play_url`` can watch (it carries a signature), so it is kept out
    of ``repr`` and out of the client's logs.
    """

    play_url: str = field(repr=False)
    #: Seconds the address stays valid when not used.
    expires_in: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StreamSession:
        return cls(
            play_url=read_str(require(data, "playURL", "playUrl", "play_url"), "playURL"),
            expires_in=read_int(require(data, "expiredIn", "expiresIn", "expired_in"), "expiredIn"),
        )


# --- battery ---------------------------------------------------------------------------


class ChargeStatus(enum.StrEnum):
    NONE = "none"
    CHARGING = "charging"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class Battery:
    #: 0-100.
    percent: int
    #: "none", "charging" or "completed" (a ChargeStatus, which compares equal to str).
    charge_status: ChargeStatus

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Battery:
        # The table writes "None"/"Charging"/"Completed", the example "charging".
        return cls(
            percent=read_int(require(data, "percent"), "percent"),
            charge_status=_lookup(ChargeStatus, require(data, "chargeStatus"), "chargeStatus", {}),
        )


# --- WiFi ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WifiConfig:
    ssid: str
    channel: int
    country_code: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WifiConfig:
        return cls(
            ssid=read_str(require(data, "ssid"), "ssid"),
            channel=read_int(require(data, "channel"), "channel"),
            country_code=read_str(require(data, "countryCode", "country_code"), "countryCode").upper(),
        )


@dataclass(frozen=True, slots=True)
class WifiScanTask:
    session_id: str
    #: When the scan session expires (the server sends epoch milliseconds); None when
    #: the value is beyond any date (callers then bound the scan by their own limit).
    expiring_at: dt.datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WifiScanTask:
        millis = read_int(require(data, "expiringAt", "expiredAt"), "expiringAt")
        return cls(
            session_id=read_str(require(data, "sessionId"), "sessionId"),
            expiring_at=utc_from_epoch(millis, 1000),
        )


class WifiScanStatus(enum.StrEnum):
    SCANNING = "scanning"
    SUCCESS = "success"
    ERROR = "error"
    TIMEOUT = "timeout"

    @property
    def is_final(self) -> bool:
        return self is not WifiScanStatus.SCANNING


@dataclass(frozen=True, slots=True)
class WifiNetwork:
    ssid: str
    #: dBm, -120 to -30.
    signal: int
    #: "auto" (encrypted) or "none".
    encrypt_mode: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WifiNetwork:
        return cls(
            ssid=read_str(require(data, "ssid"), "ssid"),
            signal=read_int(require(data, "signal"), "signal"),
            encrypt_mode=read_str(_optional(data, "encryptMode", "encrypt_mode", default=""), "encryptMode"),
        )


@dataclass(frozen=True, slots=True)
class WifiScan:
    status: WifiScanStatus
    networks: list[WifiNetwork]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WifiScan:
        raw = _optional(data, "wifiList", "wifi_list", default=[])
        if not isinstance(raw, list):
            raise UnexpectedResponse(f"wifiList is not a list: {raw!r}", http_status=200)
        return cls(
            status=_lookup(WifiScanStatus, require(data, "status"), "WiFi scan status", {}),
            networks=[WifiNetwork.from_json(item) for item in raw if isinstance(item, Mapping)],
        )


# --- alarms (webhook side) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlarmNotification:
    uid: str
    channel: int
    #: "none", "MD", "videoLoss", "blind" or "IOAlarm".
    status: str
    #: Smart alarm types ("people", "vehicle", "face", "other", "dog_cat"); the
    #: document's "none" becomes an empty list.
    ai_types: list[str]
