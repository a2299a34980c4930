"""A camera or NVR reached directly on the site's network (its LAN JSON API)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rop.lan import CertificateChanged, DeviceInfo, LanAuthFailed, LanClient, LanUnreachable
from rop.lan import Channel as LanChannel

from ..connection import lan_client
from ..models import UID_RE, Channel, Device, Family, Transport
from .base import Driver, Preset

_OPS = {
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "leftUp": "LeftUp",
    "leftDown": "LeftDown",
    "rightUp": "RightUp",
    "rightDown": "RightDown",
    "auto": "Auto",
    "stop": "Stop",
    "zoom_in": "ZoomInc",
    "zoom_out": "ZoomDec",
    "focus_in": "FocusInc",
    "focus_out": "FocusDec",
}
# Device.capabilities names for what GetAbility reports.
_CAPABILITIES = {"ptz", "zoom", "focus", "presets", "spotlight", "siren", "battery", "ai", "wifi", "reboot"}


@dataclass(frozen=True)
class LanIdentity:
    """What a device says of itself: enough to add it and to show it."""

    uid: str | None  # GetP2p's UID when it has one
    info: DeviceInfo
    channels: list[LanChannel]
    abilities: frozenset[str]
    cert_sha256: str | None  # HTTPS: the certificate seen (and pinned)


def derived_uid(host: str, port: int) -> str:
    """A stable 16-character UID for a device that reports none (URLs need one)."""
    digest = hashlib.sha256(f"{host.strip().lower()}:{port}".encode()).hexdigest().upper()
    return "LAN" + digest[:13]


def usable_uid(reported: str | None, host: str, port: int) -> str:
    if reported and UID_RE.fullmatch(reported):
        return reported
    return derived_uid(host, port)


class LanDriver(Driver):
    transport = Transport.LAN

    def __init__(self, device: Device, *, interactive: bool = False, pinned_sha256: str | None = None) -> None:
        super().__init__(device)
        self.client: LanClient = lan_client(device, interactive=interactive, pinned_sha256=pinned_sha256)

    def close(self) -> None:
        self.client.close()  # logs the session out

    # -- reads ------------------------------------------------------------------------
    def login(self) -> None:
        self.client.login()

    def identify(self) -> LanIdentity:
        info = self.client.device_info()
        uid = self.client.uid()
        abilities = frozenset(self.client.abilities() & _CAPABILITIES)
        channels = self.client.channels()
        return LanIdentity(uid, info, channels, abilities, self.client.certificate_sha256)

    def refresh(self) -> str:
        try:
            identity = self.identify()
        except CertificateChanged:
            # Shown on the device page with the "trust the new certificate" action.
            record_problem(self.device, "certificate_changed", online=self.device.online)
            raise
        except LanUnreachable:
            record_problem(self.device, "lan_unreachable", online=False)
            raise
        except LanAuthFailed:
            record_problem(self.device, "lan_auth_failed", online=self.device.online)
            raise
        record_identity(self.device, identity)
        return f"Refreshed: {identity.info.model}, {len(identity.channels)} channel(s)."

    def snapshot(self, channel: int, stream: str, max_bytes: int) -> bytes:
        self.client.max_snapshot_bytes = max_bytes
        kind = "main" if stream in ("main", "mainStream") else "sub"
        return self._checked(lambda: self.client.snapshot(channel, kind))

    # -- commands -----------------------------------------------------------------------
    # Each goes through _checked, so a changed certificate is recorded on the row (the
    # device page then offers "trust the new certificate") whichever command met it.
    def _checked[T](self, call: Callable[[], T]) -> T:
        try:
            return call()
        except CertificateChanged:
            record_problem(self.device, "certificate_changed", online=self.device.online)
            raise

    def ptz(self, channel: int, move: str, speed: int) -> None:
        self._checked(lambda: self.client.ptz(channel, _OPS[move], speed))

    def presets(self, channel: int) -> list[Preset]:
        return [Preset(p.id, p.name) for p in self._checked(lambda: self.client.presets(channel))]

    def recall_preset(self, channel: int, preset: int, speed: int) -> None:
        self._checked(lambda: self.client.recall_preset(channel, preset, speed))

    def spotlight(self, channel: int, on: bool) -> None:
        self._checked(lambda: self.client.spotlight(channel, on))

    def siren(self, channel: int) -> None:
        self._checked(lambda: self.client.siren(channel, times=1))

    def reboot(self) -> None:
        self._checked(self.client.reboot)


def record_identity(device: Device, identity: LanIdentity) -> None:
    """Store what the device said: identity, abilities, and one Channel row per camera
    (0..N-1; rows beyond N go, their AI limits with them)."""
    now = timezone.now()
    info = identity.info
    device.model = info.model[:31]
    device.firmware_version = info.firmware[:31]
    device.display_name = device.display_name or info.name[:31]
    device.channel_count = max(1, min(32, info.channel_count))
    device.capabilities = sorted(identity.abilities)
    device.family = Family.BATTERY if "battery" in identity.abilities else Family.POWERED
    device.online, device.last_seen = True, now
    device.last_poll_error, device.poll_failures = "", 0
    if identity.cert_sha256:
        device.lan_cert_sha256 = identity.cert_sha256
    fields = [
        "model",
        "firmware_version",
        "display_name",
        "channel_count",
        "capabilities",
        "family",
        "online",
        "last_seen",
        "last_poll_error",
        "poll_failures",
        "lan_cert_sha256",
        "updated_at",
    ]
    with transaction.atomic():
        if device.pk is None:
            device.save()
        else:
            device.save(update_fields=fields)
        sync_channels(device, identity.channels)


def sync_channels(device: Device, channels: list[LanChannel]) -> None:
    seen = {c.channel: c for c in channels if 0 <= c.channel < device.channel_count}
    existing = {c.index: c for c in Channel.objects.filter(device=device)}
    for index in range(device.channel_count):
        reported = seen.get(index)
        name = (reported.name if reported else "")[:64]
        online = reported.online if reported else False
        row = existing.get(index)
        if row is None:
            Channel.objects.create(device=device, index=index, name=name, online=online)
        elif (row.name, row.online) != (name, online):
            row.name, row.online = name, online
            row.save(update_fields=["name", "online"])
    Channel.objects.filter(device=device, index__gte=device.channel_count).delete()


def record_problem(device: Device, symbol: str, *, online: bool) -> None:
    if device.pk is None:
        return
    device.online, device.last_poll_error = online, symbol
    Device.objects.filter(pk=device.pk).update(online=online, last_poll_error=symbol, updated_at=timezone.now())
