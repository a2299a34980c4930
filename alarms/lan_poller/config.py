"""What one LAN device is polled with, as read from its Device and Channel rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelConfig:
    pk: int
    index: int
    ai_limit: frozenset[str]  # empty = every AI type counts
    motion: bool  # the last state stored (used when a poller starts on the device)
    ai_detected: frozenset[str]


@dataclass(frozen=True)
class DeviceConfig:
    id: int
    partner_id: int
    uid: str
    host: str
    port: int
    https: bool
    username: str
    password: str
    cert_sha256: str
    interval: float  # seconds
    timeout: float  # seconds
    online: bool
    channels: tuple[ChannelConfig, ...]

    def connection(self) -> tuple[object, ...]:
        """What the session depends on: a change means a new client (new login)."""
        return (self.host, self.port, self.https, self.username, self.password, self.cert_sha256, self.timeout)

    def channel_indexes(self) -> list[int]:
        return [ch.index for ch in self.channels] or [0]
