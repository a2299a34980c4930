"""What a failed call to a device means to a fleet manager, whichever way it went
(the Core Server or the device's LAN API): a bulk-result category, one clear sentence
and a short symbol for logs.

The one place the words are chosen, so a device page, a bulk job's results and a
device's last poll error say the same thing. Callers still decide what a failure
does (an action shows it and audits it, a background poll records it on the row);
only the mapping lives here."""

import datetime as dt
from dataclasses import dataclass

from core.request_budget import BudgetTimeout
from partners.rop_clients import GatewayTokenUnreadable
from rop import errors
from rop import lan as lan_errors

from ..models import ItemResult, Transport
from ..outcome import Outcome


class NotSupported(Exception):
    """What a driver answers for something its transport cannot do (a siren through
    the Core Server, alarm notifications over the LAN): nothing was sent."""

    def __init__(self, what: str, transport: str) -> None:
        label = Transport(transport).label
        super().__init__(f"{what} is not supported on this transport ({label}).")
        self.message = str(self)
        self.transport = transport


# What talking to a Core Server may raise that is not a bug: `except ROP_FAILURES`.
ROP_FAILURES = (errors.RopError, BudgetTimeout)
# What any driver may raise that is not a bug: `except FAILURES`.
FAILURES = (errors.RopError, BudgetTimeout, lan_errors.LanError, NotSupported)
type Failure = errors.RopError | BudgetTimeout | lan_errors.LanError | NotSupported

# Most specific first: subclasses before their parents.
_DESCRIPTIONS = [
    (
        GatewayTokenUnreadable,
        ItemResult.ERROR,
        "The partner's gateway token cannot be decrypted (the encryption key changed). "
        "A partner admin must re-enter it in Settings.",
    ),
    (errors.WakeUpTimeout, ItemResult.OFFLINE, "The battery camera did not wake up. Try again later."),
    (errors.DeviceOffline, ItemResult.OFFLINE, "The device is offline."),
    (errors.CommandNotSupported, ItemResult.NOT_SUPPORTED, "This device does not support that."),
    (errors.DeviceChannelNotFound, ItemResult.NOT_SUPPORTED, "The device has no such channel."),
    (errors.CommandTimeout, ItemResult.ERROR, "The device did not answer in time. Try again."),
    (errors.CommandExecError, ItemResult.ERROR, "The device could not carry out the command."),
    (errors.FrequentRequest, ItemResult.ERROR, "The Core Server is rate limiting the console. Try again shortly."),
    (
        errors.AuthFailed,
        ItemResult.ERROR,
        "The Core Server's gateway refused the console's credentials. Check the partner settings.",
    ),
    (errors.InvalidParameter, ItemResult.ERROR, "The Core Server rejected a value: {message}"),
    (errors.SessionNotFound, ItemResult.ERROR, "The session expired. Start again."),
    (errors.RopUnavailable, ItemResult.ERROR, "The Core Server cannot be reached."),
    # Both are the console's own words (rop.addresses, RopClient.get_snapshot).
    (errors.AddressRefused, ItemResult.ERROR, "{message}"),
    (errors.InvalidSnapshot, ItemResult.ERROR, "The camera's snapshot was refused: {message}."),
    (errors.ServerInternalError, ItemResult.ERROR, "The Core Server had an internal error."),
]
BUDGET_EXHAUSTED = "The partner's request budget is used up right now. Try again shortly."
# Device.last_poll_error holds the symbol.
MAX_SYMBOL_LENGTH = 64


@dataclass(frozen=True)
class RopFailure:
    result: str  # an ItemResult value
    message: str  # one sentence for a fleet manager
    symbol: str  # short and stable: logs and Device.last_poll_error

    def outcome(self) -> Outcome:
        return Outcome(self.result, self.message)


# A LAN device's own words, most specific first (rop.lan.errors).
_LAN_DESCRIPTIONS = [
    (lan_errors.CertificateChanged, ItemResult.ERROR, "certificate_changed"),
    (lan_errors.LanLocked, ItemResult.ERROR, "lan_locked"),
    (lan_errors.LanAuthFailed, ItemResult.ERROR, "lan_auth_failed"),
    (lan_errors.LanTimeout, ItemResult.OFFLINE, "lan_timeout"),
    (lan_errors.LanUnreachable, ItemResult.OFFLINE, "lan_unreachable"),
    (lan_errors.LanNotSupported, ItemResult.NOT_SUPPORTED, "lan_not_supported"),
    (lan_errors.LanCommandError, ItemResult.ERROR, "lan_command_error"),
    (lan_errors.LanUnexpectedResponse, ItemResult.ERROR, "lan_unexpected_answer"),
]


def _lan_message(exc: lan_errors.LanError) -> str:
    if isinstance(exc, lan_errors.CertificateChanged):
        return (
            f"The camera presented a different TLS certificate (SHA-256 {exc.actual}) from the one trusted "
            f"({exc.expected}). Nothing was sent. Trust the new certificate only if the camera was reset or replaced."
        )
    if isinstance(exc, lan_errors.LanLocked):
        return f"The device locked its logins after too many failures; try again in {exc.retry_after:.0f} s."
    if isinstance(exc, lan_errors.LanAuthFailed):
        if exc.command == "Login" and exc.rsp_code is None:  # the console's own backoff
            return exc.message
        if exc.command == "Login" or exc.rsp_code in (-7, -27):
            return "The device refused the user name or password."
        return f"The device refused the console's login: {exc.message}"
    if isinstance(exc, lan_errors.LanTimeout):
        return "The device did not answer in time. Try again."
    if isinstance(exc, lan_errors.LanUnreachable):
        return f"The device cannot be reached: {exc.message}"
    if isinstance(exc, lan_errors.LanNotSupported):
        return "This model does not support that."
    if isinstance(exc, lan_errors.LanUnexpectedResponse):
        # Whatever answered (an odd firmware, a web server, another service) is named as it is.
        return f"The device did not answer as a Reolink LAN API does: {exc.message}"
    return f"The device refused the command: {exc.message}"


def describe(exc: Failure) -> RopFailure:
    """What `exc`, raised while talking to a device, means (see FAILURES)."""
    if isinstance(exc, NotSupported):
        return RopFailure(ItemResult.NOT_SUPPORTED, exc.message, "transport_not_supported")
    if isinstance(exc, lan_errors.LanError):
        for cls, result, symbol in _LAN_DESCRIPTIONS:
            if isinstance(exc, cls):
                return RopFailure(result, _lan_message(exc), symbol)
        return RopFailure(ItemResult.ERROR, _lan_message(exc), "lan_error")
    if isinstance(exc, BudgetTimeout):
        return RopFailure(ItemResult.ERROR, BUDGET_EXHAUSTED, "budget_exhausted")
    if isinstance(exc, errors.CircuitOpen):
        since, until = _clock(exc.opened_at), _clock(exc.retry_at)
        message = f"The Core Server has not answered since {since} UTC; the console tries it again at {until} UTC."
        return RopFailure(ItemResult.ERROR, message, "core_server_unreachable")
    if isinstance(exc, errors.DeadlineExceeded):
        message = f"The Core Server did not answer within {exc.seconds:g} seconds. Try again shortly."
        return RopFailure(ItemResult.ERROR, message, "deadline_exceeded")
    symbol = _symbol(exc)
    for cls, result, message in _DESCRIPTIONS:
        if isinstance(exc, cls):
            return RopFailure(result, message.format(message=exc.message or ""), symbol)
    return RopFailure(ItemResult.ERROR, f"The Core Server answered an error ({exc.symbol or exc.http_status}).", symbol)


def is_server_failure(exc: Failure) -> bool:
    """The Core Server itself failed (no answer, a deadline, an open circuit, a 5xx), so
    the call says nothing about the device it was about."""
    if not isinstance(exc, errors.RopError):
        return False
    return isinstance(exc, errors.RopUnavailable) or (exc.http_status or 0) >= 500


def _clock(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%H:%M:%S")


def _symbol(exc: errors.RopError) -> str:
    if isinstance(exc, errors.RopUnavailable):
        return "unavailable"
    if isinstance(exc, errors.AddressRefused):
        return "address_refused"
    if isinstance(exc, errors.InvalidSnapshot):
        return "invalid_snapshot"
    return (exc.symbol or f"http_{exc.http_status or 'error'}")[:MAX_SYMBOL_LENGTH]
