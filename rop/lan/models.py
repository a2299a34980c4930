"""What the LAN client returns: frozen dataclasses, no raw JSON."""

from __future__ import annotations

from dataclasses import dataclass

AI_TYPES = ("people", "vehicle", "dog_cat", "face")


@dataclass(frozen=True)
class DeviceInfo:
    model: str
    name: str
    firmware: str
    channel_count: int
    is_nvr: bool


@dataclass(frozen=True)
class Channel:
    channel: int
    name: str
    online: bool


@dataclass(frozen=True)
class ChannelState:
    """Motion and AI state of one channel. ``ai`` is None when the device has no AI
    (it answers "not supported", which is normal); otherwise it maps each AI type the
    device supports to whether it is detected now."""

    channel: int
    motion: bool
    ai: dict[str, bool] | None

    @property
    def has_ai(self) -> bool:
        return self.ai is not None


@dataclass(frozen=True)
class Preset:
    id: int
    name: str
