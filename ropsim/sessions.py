"""Server-side sessions: initialization, upgrade, WiFi scan and play sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class InitSession:
    uid: str
    code: str
    created_at: float
    expires_at: float  # the code is valid for 1 min (spec)
    used: bool = False


@dataclass
class UpgradeSession:
    session_id: str
    uid: str
    file_name: str
    factory_reset: bool
    created_at: float
    expires_at: float
    outcome: str  # decided at creation by the device's situation
    resolves_at: float
    status: str = "upgrading"


@dataclass
class ScanSession:
    session_id: str
    uid: str
    created_at: float
    done_at: float
    expires_at: float
    outcome: str  # "success" | "error" | "timeout"
    networks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PlaySession:
    session_id: str
    uid: str
    channel: int
    kind: str  # "live" | "playback"
    stream_type: str | None
    file_name: str | None
    url: str
    created_at: float
    expires_at: float
