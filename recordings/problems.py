"""What a failed recordings call means, in the words of devices/connection/messages.py, with
the few cases where recordings says more: a device that cannot record has no SD card
(the Core Server answers cmd_not_support), a file the camera overwrote meanwhile."""

from dataclasses import dataclass

from core.request_budget import BudgetTimeout
from devices.connection import describe
from rop import errors


class Problem:
    """A fleet search item's results besides "ok" (jobs.JobItem.result)."""

    OK = "ok"
    OFFLINE = "offline"
    NO_SD_CARD = "no_sd_card"
    TIMEOUT = "timeout"
    ASLEEP = "asleep"
    NOT_SUPPORTED = "not_supported"
    ERROR = "error"

    CHOICES = (
        (OK, "Searched"),
        (OFFLINE, "Offline"),
        (NO_SD_CARD, "No SD card"),
        (TIMEOUT, "Timed out"),
        (ASLEEP, "Asleep, not woken"),
        (NOT_SUPPORTED, "LAN device"),
        (ERROR, "Error"),
    )


NO_SD_CARD = "No SD card: this device keeps no recordings."
LAN_DEVICE = "A LAN device: the console searches recordings through the Core Server, which does not reach it."
GONE = "That recording is no longer on the SD card (the camera may have overwritten it). Search the day again."
NOT_WOKEN = "Battery camera not woken: asking for its recordings would wake it. Ask explicitly to include it."


@dataclass(frozen=True)
class Failure:
    result: str  # a Problem value
    message: str


def failure_of(exc: errors.RopError | BudgetTimeout) -> Failure:
    if isinstance(exc, errors.WakeUpTimeout):
        return Failure(Problem.ASLEEP, describe(exc).message)
    if isinstance(exc, errors.DeviceOffline):
        return Failure(Problem.OFFLINE, describe(exc).message)
    if isinstance(exc, errors.CommandNotSupported):
        return Failure(Problem.NO_SD_CARD, NO_SD_CARD)
    if isinstance(exc, errors.FileNotFound):
        return Failure(Problem.ERROR, GONE)
    if isinstance(exc, BudgetTimeout | errors.DeadlineExceeded | errors.CommandTimeout):
        return Failure(Problem.TIMEOUT, describe(exc).message)
    return Failure(Problem.ERROR, describe(exc).message)
