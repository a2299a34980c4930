"""A device reached through its partner's Core Server."""

from rop import RopClient

from ..connection import using_rop
from ..models import Device, Transport
from ..polling import refresh_device
from .base import Driver

_ZOOM_FOCUS = {
    "zoom_in": ("ptz_zoom", "inc"),
    "zoom_out": ("ptz_zoom", "dec"),
    "focus_in": ("ptz_focus", "inc"),
    "focus_out": ("ptz_focus", "dec"),
}


class RopDriver(Driver):
    transport = Transport.ROP

    def __init__(self, device: Device, client: RopClient | None = None, *, interactive: bool = False) -> None:
        super().__init__(device)
        # A shared client (a bulk chunk, a view) stays open; one built here is closed.
        self._context = using_rop(device.partner, client, interactive=interactive)
        self.client = self._context.__enter__()

    def close(self) -> None:
        self._context.__exit__(None, None, None)

    def rop(self) -> RopClient:
        return self.client

    def refresh(self) -> str:
        refresh_device(self.device, client=self.client)
        return "Refreshed."

    def snapshot(self, channel: int, stream: str, max_bytes: int) -> bytes:
        stream_type = "mainStream" if stream == "main" else "subStream" if stream == "sub" else stream
        return self.client.get_snapshot(self.device.uid, channel, stream_type, max_bytes=max_bytes)

    def ptz(self, channel: int, move: str, speed: int) -> None:
        if move in _ZOOM_FOCUS:
            method, step = _ZOOM_FOCUS[move]
            getattr(self.client, method)(self.device.uid, step, channel)
        elif move == "auto":
            raise self._unsupported("Auto patrol")
        else:
            direction = "none" if move == "stop" else move
            self.client.ptz_rotate(self.device.uid, direction, speed, channel)

    def set_alarm(self, enabled: bool) -> None:
        self.client.set_alarm_enabled(self.device.uid, enabled)
