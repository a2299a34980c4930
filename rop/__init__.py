"""ROP v1.0 client library of ROP Fleet (plain Python, no Django).

    from rop import RopClient, errors
    client = RopClient(base_url="https://rop.example.com", token="...", timeout=10.0)

See docs/rop-client.md for the API, the retry policy per method and logging, and
docs/rop-spec-notes.md for where the interface document contradicts itself.
"""

from . import errors, validation
from .addresses import AddressPolicy
from .alarms import parse_alarm_notification
from .client import RopClient
from .errors import RopError, RopUnavailable
from .models import (
    AlarmNotification,
    Battery,
    ChargeStatus,
    InitializationSession,
    OnlineDevice,
    PirConfig,
    Recording,
    StreamSession,
    UpgradeSession,
    UpgradeStatus,
    WifiConfig,
    WifiNetwork,
    WifiScan,
    WifiScanStatus,
    WifiScanTask,
)
from .transport import USER_AGENT, CircuitBreaker, Limiter, RetryPolicy

__version__ = USER_AGENT.split("/", 1)[1]

__all__ = [
    "AddressPolicy",
    "AlarmNotification",
    "Battery",
    "ChargeStatus",
    "CircuitBreaker",
    "InitializationSession",
    "Limiter",
    "OnlineDevice",
    "PirConfig",
    "Recording",
    "RetryPolicy",
    "RopClient",
    "RopError",
    "RopUnavailable",
    "StreamSession",
    "USER_AGENT",
    "UpgradeSession",
    "UpgradeStatus",
    "WifiConfig",
    "WifiNetwork",
    "WifiScan",
    "WifiScanStatus",
    "WifiScanTask",
    "errors",
    "parse_alarm_notification",
    "validation",
]
