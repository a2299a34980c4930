"""The device-connection layer's upper half: services ask it for "this device" and
get a driver with one interface (base.Driver) whichever way the device is reached:
RopDriver through the partner's Core Server, LanDriver over the site's network.

    with driver_for(device, interactive=True) as driver:
        driver.ptz(channel, "left", 32)

What a transport cannot do raises connection.NotSupported; every failure is one of
connection.FAILURES, worded by connection.describe. See docs/lan-devices.md."""

from rop import RopClient

from ..models import Device, Transport
from .base import DIRECTIONS, PTZ_MOVES, Driver, Preset
from .lan_driver import LanDriver, LanIdentity, derived_uid, record_identity, usable_uid
from .rop_driver import RopDriver

__all__ = [
    "DIRECTIONS",
    "PTZ_MOVES",
    "Driver",
    "LanDriver",
    "LanIdentity",
    "Preset",
    "RopDriver",
    "derived_uid",
    "driver_for",
    "record_identity",
    "usable_uid",
]


def driver_for(device: Device, *, interactive: bool = False, rop_client: RopClient | None = None) -> Driver:
    """The driver of `device`. `rop_client`: a Core Server client to share (a bulk
    chunk's); LAN devices each get their own session. Close it after use (a with block)."""
    if device.transport == Transport.LAN:
        return LanDriver(device, interactive=interactive)
    return RopDriver(device, rop_client, interactive=interactive)
