"""The one interface of a device, whichever way the console reaches it.

A driver is opened for one device (devices.drivers.driver_for) and closed after use;
what its transport cannot do raises connection.NotSupported before anything is sent.
Failures are the transport's own exceptions (connection.FAILURES), which
connection.describe turns into a fleet manager's words."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from rop import RopClient

from ..connection import NotSupported
from ..models import Device

# The PTZ vocabulary of the device page and of every driver: the eight directions,
# auto (patrol), stop, zoom and focus in and out.
DIRECTIONS = ("up", "down", "left", "right", "leftUp", "leftDown", "rightUp", "rightDown")
PTZ_MOVES = (*DIRECTIONS, "auto", "stop", "zoom_in", "zoom_out", "focus_in", "focus_out")


@dataclass(frozen=True)
class Preset:
    id: int
    name: str


class Driver:
    transport: str = ""

    def __init__(self, device: Device) -> None:
        self.device = device

    def close(self) -> None:
        """Release connections (a LAN driver also logs out)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(what, self.transport)

    # -- what both transports can do -------------------------------------------------
    def refresh(self) -> str:
        """Read the device now (identity and health) and store it; the sentence to show."""
        raise self._unsupported("Refreshing")

    def snapshot(self, channel: int, stream: str, max_bytes: int) -> bytes:
        """A JPEG of `channel`; `stream` is "main" or "sub"."""
        raise self._unsupported("A snapshot")

    def ptz(self, channel: int, move: str, speed: int) -> None:
        """Start `move` (PTZ_MOVES) on `channel`; "stop" stops whatever runs."""
        raise self._unsupported("Pan, tilt and zoom")

    # -- what only one of them can do -------------------------------------------------
    def presets(self, channel: int) -> list[Preset]:
        raise self._unsupported("PTZ presets")

    def recall_preset(self, channel: int, preset: int, speed: int) -> None:
        raise self._unsupported("Recalling a preset")

    def spotlight(self, channel: int, on: bool) -> None:
        raise self._unsupported("The spotlight")

    def siren(self, channel: int) -> None:
        raise self._unsupported("The siren")

    def reboot(self) -> None:
        raise self._unsupported("Rebooting")

    def set_alarm(self, enabled: bool) -> None:
        raise self._unsupported("Alarm notifications")

    def rop(self) -> RopClient:
        """The Core Server client, for what only ROP offers (PIR, name, live view, WiFi)."""
        raise self._unsupported("This")
