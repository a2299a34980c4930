"""Client of Reolink cameras' and NVRs' LAN JSON API (plain Python, no Django).

    from rop.lan import LanClient
    with LanClient("192.168.1.20", 443, "https", "admin", password, timeout=8.0) as cam:
        info = cam.device_info()
        pin = cam.certificate_sha256  # store it: later clients pass pinned_sha256=pin

See docs/rop-client.md, "LAN client".
"""

from . import errors
from .client import PTZ_OPS, LanClient
from .errors import (
    CertificateChanged,
    LanAuthFailed,
    LanCommandError,
    LanError,
    LanLocked,
    LanNotSupported,
    LanTimeout,
    LanUnexpectedResponse,
    LanUnreachable,
    scrub_tokens,
)
from .models import Channel, ChannelState, DeviceInfo, Preset
from .tls import fetch_fingerprint, normalise_fingerprint

__all__ = [
    "PTZ_OPS",
    "CertificateChanged",
    "Channel",
    "ChannelState",
    "DeviceInfo",
    "LanAuthFailed",
    "LanClient",
    "LanCommandError",
    "LanError",
    "LanLocked",
    "LanNotSupported",
    "LanTimeout",
    "LanUnexpectedResponse",
    "LanUnreachable",
    "Preset",
    "errors",
    "fetch_fingerprint",
    "normalise_fingerprint",
    "scrub_tokens",
]
