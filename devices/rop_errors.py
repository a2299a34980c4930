"""What a ROP error means to a fleet manager: a bulk-result category and one clear sentence.

Used by every device action, single or bulk, so the words are the same everywhere."""

from core.request_budget import BudgetTimeout
from rop import errors

from .models import ItemResult

# Most specific first: subclasses before their parents.
_DESCRIPTIONS = [
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
    (errors.ServerInternalError, ItemResult.ERROR, "The Core Server had an internal error."),
]


def describe(exc: Exception) -> tuple[str, str]:
    """(ItemResult value, message) for an exception raised while talking to ROP."""
    if isinstance(exc, BudgetTimeout):
        return ItemResult.ERROR, "The partner's request budget is used up right now. Try again shortly."
    for cls, result, message in _DESCRIPTIONS:
        if isinstance(exc, cls):
            return result, message.format(message=getattr(exc, "message", "") or "")
    if isinstance(exc, errors.RopError):
        return ItemResult.ERROR, f"The Core Server answered an error ({exc.symbol or exc.http_status})."
    raise exc
