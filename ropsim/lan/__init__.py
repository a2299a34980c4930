"""Emulator of Reolink cameras' and NVRs' LAN JSON API (/cgi-bin/api.cgi).

Each exposed fleet device gets its own HTTP port speaking Reolink's command
envelope (Login/token, GetDevInfo, GetMdState, Snap, PtzCtrl, ...), enough for
reolink-aio (Home Assistant's library) and the GEM driver to work against it.
See docs/ropsim-lan.md.
"""

from .discovery import MAGIC as DISCOVERY_MAGIC
from .discovery import discover
from .server import (
    DEFAULT_USERNAME,
    DEMO_PASSWORD,
    LanEndpoint,
    LanServers,
    start_lan_servers,
    stop_lan_servers,
)
from .state import LanOptions, LanState

__all__ = [
    "DEFAULT_USERNAME",
    "DEMO_PASSWORD",
    "DISCOVERY_MAGIC",
    "LanEndpoint",
    "LanOptions",
    "LanServers",
    "LanState",
    "discover",
    "start_lan_servers",
    "stop_lan_servers",
]
