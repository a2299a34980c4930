"""What a failed ROP call means to a fleet manager: a bulk-result category, one clear
sentence and a short symbol for logs.

The one place the words are chosen, so a device page, a bulk job's results and a
device's last poll error say the same thing. Callers still decide what a failure
does (an action shows it and audits it, a background poll records it on the row);
only the mapping lives here. It depends on nothing but rop.errors, the request
budget and Outcome, so it can move with the device-connection layer."""

import datetime as dt
from dataclasses import dataclass

from core.request_budget import BudgetTimeout
from partners.rop_clients import GatewayTokenUnreadable
from rop import errors

from .models import ItemResult
from .outcome import Outcome

# What talking to a Core Server may raise that is not a bug: `except ROP_FAILURES`.
ROP_FAILURES = (errors.RopError, BudgetTimeout)

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


def describe(exc: errors.RopError | BudgetTimeout) -> RopFailure:
    """What `exc`, raised while talking to ROP, means (see ROP_FAILURES)."""
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


def is_server_failure(exc: errors.RopError | BudgetTimeout) -> bool:
    """The Core Server itself failed (no answer, a deadline, an open circuit, a 5xx), so
    the call says nothing about the device it was about."""
    if isinstance(exc, BudgetTimeout):
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
