"""The LAN poller's database side. Synchronous Django code, called from the event
loop through one worker thread (poller.py), so that the loop never blocks on a query
and writes never interleave. Writes are batched: the changes of every device since the
last flush go in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import close_old_connections, connections, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from devices import lan_leases
from devices.models import Channel, Device

from ..models import AlarmEvent, AlarmSource
from .changes import Change, Kind
from .config import ChannelConfig, DeviceConfig

# The status of a LAN motion/AI event: the one the Core Server uses for motion, so the
# feed's filters and labels read both sources alike.
LAN_STATUS = "MD"


def sync_leases(poller: str, lease: timedelta, claim_limit: int) -> dict[int, DeviceConfig]:
    """Renew this poller's leases, claim up to ``claim_limit`` more, and return the
    settings of every device it owns now (new devices and settings changes included)."""
    close_old_connections()  # a long-running process: drop a connection the server closed
    now = timezone.now()
    lan_leases.renew(poller, now, lease)
    # Each poller keeps about its share: one started later gets devices from the others.
    share = lan_leases.share(poller, now, lease)
    lan_leases.shed(poller, now, share)
    held = lan_leases.owned(poller, now).count()
    lan_leases.claim(poller, now, lease, min(claim_limit, share - held))
    devices = lan_leases.owned(poller, now).prefetch_related(
        Prefetch("channels", queryset=Channel.objects.order_by("index"))
    )
    return {device.id: _config(device) for device in devices}


def _config(device: Device) -> DeviceConfig:
    channels = tuple(
        ChannelConfig(
            pk=ch.pk,
            index=ch.index,
            ai_limit=frozenset(ch.ai_types or ()),
            motion=ch.motion,
            ai_detected=frozenset(ch.ai_detected or ()),
        )
        for ch in device.channels.all()
    )
    return DeviceConfig(
        id=device.id,
        partner_id=device.partner_id,
        uid=device.uid,
        host=device.lan_host,
        port=device.lan_port or 80,
        https=device.lan_use_https,
        username=device.lan_username,
        password=device.lan_password,
        cert_sha256=device.lan_cert_sha256,
        interval=device.lan_status_interval_ms / 1000,
        timeout=device.lan_timeout_ms / 1000,
        online=device.online,
        channels=channels,
    )


def release(poller: str, ids: list[int] | None = None) -> int:
    close_old_connections()
    if ids is None:
        lan_leases.forget(poller)
    return lan_leases.release(poller, ids)


def close() -> None:
    """Close this (the worker) thread's database connections: the poller is stopping."""
    connections.close_all()


@dataclass
class Reach:
    online: bool
    error: str  # Device.last_poll_error: "" when reachable
    seen: bool  # write last_seen (the flush's time): on the way online, then once in a while


@dataclass
class Batch:
    """What the devices' tasks found since the last flush."""

    changes: list[tuple[DeviceConfig, Change, datetime]] = field(default_factory=list)
    reach: dict[int, Reach] = field(default_factory=dict)
    pins: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changes or self.reach or self.pins)


def write(batch: Batch) -> None:
    """One transaction: new and ended events, channels' last state, devices' reachability."""
    close_old_connections()
    with transaction.atomic():
        for device, change, at in batch.changes:
            _apply(device, change, at)
        _write_reach(batch.reach)
        for device_id, pin in batch.pins.items():
            # Trust on first use only: a pin a person set is never replaced here.
            Device.objects.filter(id=device_id, lan_cert_sha256="").update(lan_cert_sha256=pin)


def _open_event(device: DeviceConfig, change: Change) -> QuerySet[AlarmEvent]:
    return AlarmEvent.objects.filter(
        device_id=device.id, channel=change.channel, source=AlarmSource.LAN, ended_at__isnull=True
    )


def _apply(device: DeviceConfig, change: Change, at: datetime) -> None:
    if change.kind is Kind.START:
        # An event left open (a poller killed between two writes) is closed, not continued.
        _open_event(device, change).update(ended_at=at)
        AlarmEvent.objects.create(
            partner_id=device.partner_id,
            device_id=device.id,
            device_uid=device.uid,
            channel=change.channel,
            status=LAN_STATUS,
            ai_types=sorted(change.episode_ai),
            source=AlarmSource.LAN,
            received_at=at,
            last_seen_at=at,
        )
    elif change.kind is Kind.GROW:
        _open_event(device, change).update(ai_types=sorted(change.episode_ai), last_seen_at=at)
    elif change.kind is Kind.END:
        _open_event(device, change).update(ended_at=at, last_seen_at=at)
    Channel.objects.filter(pk=change.channel_pk).update(motion=change.motion, ai_detected=sorted(change.ai))


def _write_reach(reach: dict[int, Reach]) -> None:
    now = timezone.now()
    groups: dict[tuple[bool, str, bool], list[int]] = {}
    for device_id, r in reach.items():
        groups.setdefault((r.online, r.error, r.seen), []).append(device_id)
    for (online, error, seen), ids in groups.items():
        values: dict[str, object] = {"online": online, "last_poll_error": error}
        if seen:
            values["last_seen"] = now
        Device.objects.filter(id__in=ids).update(**values)
