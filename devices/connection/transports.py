"""Which devices each side of the console looks after, by transport: the one place the
services ask instead of comparing Device.transport themselves.

The Core Server's online list (sync) and the health sweep (polling) cover the devices
reached through it; LAN devices are read by their driver (devices.drivers.LanDriver)
and polled by the LAN poller."""

from ..models import Device, Transport

# For querysets: Device.objects.filter(transport__in=THROUGH_CORE_SERVER).
THROUGH_CORE_SERVER = (Transport.ROP,)


def through_core_server(transport: str) -> bool:
    """Whether the Core Server's list and health polls speak for a device of this transport."""
    return transport in THROUGH_CORE_SERVER


def swept(device: Device) -> bool:
    """Whether the health sweep polls this device (through the Core Server)."""
    return through_core_server(device.transport)
