"""Exceptions raised by the ROP client.

Every answer of the Core Server that is not 2xx becomes a :class:`RopError` (or a
subclass chosen by the error ``symbol``); every failure to get an answer at all
becomes :class:`RopUnavailable`. Callers can therefore catch :class:`RopError` for
"the call did not work" and a subclass for the cases the console acts on.

The symbol table below covers the interface document's common error codes plus the
symbols the real Core Server was seen to answer (docs/rop-spec-notes.md lists them).
Symbols we do not know still raise :class:`RopError`, carrying the symbol and status,
so a newer Core Server never makes the client crash with something unexpected.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

__all__ = [
    "RopError",
    "RopUnavailable",
    "DeadlineExceeded",
    "CircuitOpen",
    "UnexpectedResponse",
    "ResponseTooLarge",
    "InvalidSnapshot",
    "AddressRefused",
    "RouteNotFound",
    "AuthFailed",
    "InvalidParameter",
    "InvalidAlarmNotification",
    "InvalidFilename",
    "DeviceOffline",
    "DeviceConnectionNotFound",
    "DeviceSignalingConnectionClosed",
    "DeviceChannelNotFound",
    "CommandTimeout",
    "WakeUpTimeout",
    "CommandNotSupported",
    "StreamTypeNotSupported",
    "DirectionNotSupported",
    "CommandExecError",
    "SnapError",
    "DuplicateSnap",
    "SessionNotFound",
    "SessionExpired",
    "FrequentRequest",
    "ServerInternalError",
    "WorkDirNotFound",
    "DuplicateCreateCa",
    "DuplicateFirmware",
    "FileNotFound",
    "DuplicateUpgrade",
    "UpgradeSessionLimitReached",
    "ERROR_CLASSES",
    "error_from_response",
    "parse_retry_after",
]


class RopError(Exception):
    """Base of every error the client raises.

    ``symbol`` is the Core Server's error symbol (``None`` when the answer had no
    error envelope, or when no answer was received). ``http_status`` is the HTTP
    status of the answer (``None`` when there was none). ``message`` is the
    server's message or a description of what went wrong. ``data`` holds the
    envelope's optional ``data`` member.
    """

    #: The symbol this class stands for; used to build :data:`ERROR_CLASSES`.
    default_symbol: str | None = None

    def __init__(
        self,
        message: str,
        *,
        symbol: str | None = None,
        http_status: int | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.symbol = symbol if symbol is not None else self.default_symbol
        self.http_status = http_status
        self.data = data

    def __str__(self) -> str:
        parts = []
        if self.http_status is not None:
            parts.append(str(self.http_status))
        if self.symbol:
            parts.append(self.symbol)
        prefix = " ".join(parts)
        return f"[{prefix}] {self.message}" if prefix else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, symbol={self.symbol!r}, http_status={self.http_status!r})"
        )


class RopUnavailable(RopError):
    """No answer: DNS, connection refused/reset, TLS failure or timeout.

    The original exception is in ``cause`` (and ``__cause__``).
    """

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class DeadlineExceeded(RopUnavailable):
    """The call's total deadline (connect, reads, retries and budget waits together)
    passed before the Core Server answered. ``seconds`` is that deadline."""

    def __init__(self, message: str, *, seconds: float, cause: BaseException | None = None) -> None:
        super().__init__(message, cause=cause)
        self.seconds = seconds


class CircuitOpen(RopUnavailable):
    """Raised by a circuit breaker before any request is sent: the Core Server failed
    to answer repeatedly and is left alone for a while. ``opened_at`` and ``retry_at``
    are Unix times (``retry_at``: when a probe is let through again)."""

    def __init__(self, message: str, *, opened_at: float, retry_at: float) -> None:
        super().__init__(message)
        self.opened_at = opened_at
        self.retry_at = retry_at


class UnexpectedResponse(RopError):
    """A 2xx answer whose body the client cannot make sense of (not JSON, missing
    fields, a status value outside every documented form)."""


class ResponseTooLarge(UnexpectedResponse):
    """A 2xx answer larger than the caller accepts; the rest of it was not read."""


class InvalidSnapshot(UnexpectedResponse):
    """A snapshot answer that is not a JPEG image of an acceptable size."""


class AddressRefused(RopError):
    """The client refused to connect: the host is, or resolves to, an address the
    :class:`rop.addresses.AddressPolicy` forbids (cloud metadata, loopback, a private
    network...). Raised before anything is sent and never retried. ``host`` is the
    name in the URL, ``address`` the refused address. No server symbol: this is the
    console's own refusal, never an answer."""

    def __init__(self, message: str, *, host: str, address: str) -> None:
        super().__init__(message)
        self.host = host
        self.address = address


class RouteNotFound(RopError):
    """404 ``{"message": "resource not found."}``: the Core Server has no such route
    (wrong base URL, wrong path or wrong method) — not the spec's error envelope."""


# --- common error codes of the interface document -------------------------------------


class AuthFailed(RopError):
    default_symbol = "auth_failed"


class InvalidParameter(RopError, ValueError):
    """Raised by the server (400 invalid_parameter) and by the client's own input
    validation before any request is sent (then ``http_status`` is ``None``)."""

    default_symbol = "invalid_parameter"


class InvalidAlarmNotification(InvalidParameter):
    """A webhook body that is not a valid ROP alarm notification."""


class InvalidFilename(InvalidParameter):
    default_symbol = "invalid_filename"


class DeviceOffline(RopError):
    default_symbol = "device_offline"


class DeviceConnectionNotFound(DeviceOffline):
    # The Core Server has no live connection to the device: for the console this is
    # the same situation as device_offline.
    default_symbol = "device_connection_not_found"


class DeviceSignalingConnectionClosed(DeviceOffline):
    default_symbol = "device_signaling_connection_closed"


class DeviceChannelNotFound(RopError):
    default_symbol = "device_channel_not_found"


class CommandTimeout(RopError):
    default_symbol = "cmd_timeout"


class WakeUpTimeout(CommandTimeout):
    # A battery camera did not wake in time; like cmd_timeout, trying later may work.
    default_symbol = "wake_up_timeout"


class CommandNotSupported(RopError):
    default_symbol = "cmd_not_support"


class StreamTypeNotSupported(CommandNotSupported):
    default_symbol = "stream_type_not_support"


class DirectionNotSupported(CommandNotSupported):
    default_symbol = "direction_not_support"


class CommandExecError(RopError):
    default_symbol = "cmd_exec_error"


class SnapError(CommandExecError):
    default_symbol = "snap_error"


class DuplicateSnap(CommandExecError):
    # Another snapshot of the same device is in progress.
    default_symbol = "duplicate_snap"


class SessionNotFound(RopError):
    default_symbol = "session_not_found"


class SessionExpired(SessionNotFound):
    # For the caller the session is gone either way; the subclass tells why.
    default_symbol = "session_expired"


class FrequentRequest(RopError):
    """429. ``retry_after`` is the delay in seconds the server asked for (from the
    Retry-After header), or ``None`` when it sent none."""

    default_symbol = "frequent_request"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerInternalError(RopError):
    default_symbol = "server_internal_error"


class WorkDirNotFound(ServerInternalError):
    default_symbol = "work_dir_not_found"


class DuplicateCreateCa(ServerInternalError):
    default_symbol = "duplicate_create_ca"


# --- firmware and upgrade --------------------------------------------------------------


class DuplicateFirmware(RopError):
    """400: a firmware file with that name was already uploaded."""

    default_symbol = "duplicate_firmware"


class FileNotFound(RopError):
    """404: the upgrade file was never uploaded."""

    default_symbol = "file_not_found"


class DuplicateUpgrade(RopError):
    """400: the device is already upgrading."""

    default_symbol = "duplicate_upgrade"


class UpgradeSessionLimitReached(RopError):
    """400 up_to_upgrade_session_limit: too many concurrent upgrade sessions."""

    default_symbol = "up_to_upgrade_session_limit"


def _build_table() -> dict[str, type[RopError]]:
    table: dict[str, type[RopError]] = {}
    stack: list[type[RopError]] = [RopError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        # Only classes that declare a symbol themselves (InvalidAlarmNotification
        # inherits invalid_parameter but is not what the server means by it).
        symbol = cls.__dict__.get("default_symbol")
        if symbol:
            table[symbol] = cls
    return table


#: symbol -> exception class, for every symbol the client knows a class for.
ERROR_CLASSES: dict[str, type[RopError]] = _build_table()


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        now = now or dt.datetime.now(dt.UTC)
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def error_from_response(
    http_status: int, body: Any, *, retry_after: float | None = None, raw_text: str = ""
) -> RopError:
    """Build the exception for a non-2xx answer.

    ``body`` is the decoded JSON (or ``None`` when the body was not JSON).
    """
    symbol: str | None = None
    message: str | None = None
    data: Any = None
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict) and isinstance(envelope.get("symbol"), str):
        symbol = envelope["symbol"]
        message = envelope.get("message") if isinstance(envelope.get("message"), str) else None
        data = envelope.get("data", body.get("data"))
        cls = ERROR_CLASSES.get(symbol, RopError)
    else:
        # Not the spec's envelope: the Core Server's own 404 for unknown routes, or a
        # gateway in front of it (nginx 401/403/429/502 pages...).
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
        elif raw_text:
            message = raw_text.strip()[:200]
        if http_status == 404 and isinstance(body, dict) and "resource not found" in (message or ""):
            cls = RouteNotFound
        elif http_status in (401, 403):
            cls = AuthFailed
        elif http_status == 429:
            cls = FrequentRequest
        else:
            cls = RopError
    if not message:
        message = f"HTTP {http_status} without an error message"
    kwargs: dict[str, Any] = {"symbol": symbol, "http_status": http_status, "data": data}
    if issubclass(cls, FrequentRequest):
        err: RopError = cls(message, retry_after=retry_after, **kwargs)
    else:
        err = cls(message, **kwargs)
    if symbol is None:
        # A class chosen from the status alone must not claim a symbol the server
        # never sent.
        err.symbol = None
    return err
