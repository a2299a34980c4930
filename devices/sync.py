"""Sync of a partner's devices with its Core Server's online list (GET /v1.0/devices).

ROP has one inventory call and it lists only the devices connected right now, so:
a listed device we do not know is added; a listed device is online (last_seen = now)
with the model and firmware it reports; a device we know that is not listed is
offline, keeping the last_seen of when it was. Model and firmware changes are
written to the audit log as the system's doing.

Built for 10k+ devices per partner: one query reads the partner's devices, the
writes are bulk_create / bulk_update / update() in batches; nothing is per device.
"""

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEntry
from partners.models import Partner
from rop import OnlineDevice, RopClient
from rop.validation import UID_PATTERN

from .capabilities import derived_capabilities
from .connection import through_core_server, using_rop
from .models import Device, Family, Transport
from .polling import first_poll_at

logger = logging.getLogger(__name__)

BATCH = 1000
# An odd entry of the online list is logged once a day, not at every sync.
ODD_UID_LOG_SECONDS = 24 * 3600
# How many odd entries a log line names (the list may hold thousands).
ODD_UIDS_NAMED = 10
# NVR model names carry their channel count: "RLN8-410" has 8, "RLN16-410" 16.
_NVR_CHANNELS = re.compile(r"\bRLN(\d{1,2})-", re.IGNORECASE)


@dataclass(frozen=True)
class SyncResult:
    added: int = 0
    updated: int = 0  # model or firmware changed
    went_offline: int = 0
    came_online: int = 0
    skipped: int = 0  # listed with a UID no device can have (see _usable)


def channel_count_of(model: str) -> int:
    match = _NVR_CHANNELS.search(model)
    return max(1, min(32, int(match.group(1)))) if match else 1


def _family(value: str) -> str:
    # The spec: "battery" for battery-powered devices, "powered" for the others.
    return Family.BATTERY if value == Family.BATTERY else Family.POWERED


def sync_partner(partner: Partner, *, client: RopClient | None = None) -> SyncResult:
    """Bring the partner's Device rows in line with the Core Server's online list.

    Raises rop.errors.RopError / BudgetTimeout when the list cannot be read, and then
    changes nothing (a failed read must not mark the whole fleet offline)."""
    with using_rop(partner, client) as rop:
        listed, odd = _usable(rop.list_online_devices())
    _log_odd_once(partner, odd)
    # The network call above happens outside the transaction below.
    now = timezone.now()
    with transaction.atomic():
        # One sync per partner at a time (beat and "Sync now" may overlap).
        Partner.objects.select_for_update().filter(pk=partner.pk).values_list("pk").first()
        result = replace(_apply(partner, listed, now), skipped=len(odd))
        Partner.objects.filter(pk=partner.pk).update(last_synced_at=now)
    partner.last_synced_at = now
    logger.info("synced %s: %s", partner.slug, result)
    return result


def _usable(online: list[OnlineDevice]) -> tuple[dict[str, OnlineDevice], list[str]]:
    """The listed devices by uid, and the uids no device can have: longer than 16
    characters, a "/" or anything but A-Z and 0-9. Such an entry cannot be stored, put
    in a URL or called through ROP, so it is skipped instead of failing the whole sync."""
    listed: dict[str, OnlineDevice] = {}
    odd: list[str] = []
    for item in online:
        if UID_PATTERN.fullmatch(item.uid):
            listed[item.uid] = item
        else:
            odd.append(item.uid)
    return listed, odd


def _log_odd_once(partner: Partner, odd: list[str]) -> None:
    """One warning naming the odd entries not logged in the last day (a cache key per
    partner and uid; the uid is hashed as it may hold any character)."""
    new = [
        uid
        for uid in odd
        if cache.add(
            f"sync:odd-uid:{partner.id}:{hashlib.sha256(uid.encode()).hexdigest()}", 1, timeout=ODD_UID_LOG_SECONDS
        )
    ]
    if new:
        named = ", ".join(repr(uid[:40]) for uid in new[:ODD_UIDS_NAMED])
        more = f" and {len(new) - ODD_UIDS_NAMED} more" if len(new) > ODD_UIDS_NAMED else ""
        logger.warning(
            "sync of %s skipped %d entries of the online list whose UID is not 16 letters or digits: %s%s",
            partner.slug,
            len(new),
            named,
            more,
        )


def _apply(partner: Partner, listed: dict[str, OnlineDevice], now: datetime) -> SyncResult:
    known: dict[str, tuple[Any, ...]] = {}
    for values in Device.objects.filter(partner=partner).values_list(
        "id", "uid", "transport", "family", "model", "firmware_version", "online", "next_poll_at", "alarm_enabled"
    ):
        known[values[1]] = values

    new: list[Device] = []
    changed: list[Device] = []
    audits: list[AuditEntry] = []
    returning: list[Device] = []
    present: list[int] = []
    gone: list[int] = []
    came_online = 0
    for uid, item in listed.items():
        row = known.get(uid)
        if row is None:
            new.append(_new_device(partner, item, now))
            continue
        device_id, _, transport, family, model, firmware, online, next_poll_at, alarm_enabled = row
        if not through_core_server(transport):
            continue  # managed over the LAN; ROP's view of it is not ours to apply
        present.append(device_id)
        listed_family = _family(item.family)
        if (listed_family, item.model, item.firmware) != (family, model, firmware):
            changed.append(
                Device(
                    pk=device_id,
                    family=listed_family,
                    model=item.model[:31],
                    firmware_version=item.firmware[:31],
                    updated_at=now,
                    capabilities=derived_capabilities(listed_family, item.model),
                    channel_count=channel_count_of(item.model),
                )
            )
            audits += _change_entries(partner, device_id, uid, model, item.model, firmware, item.firmware)
        if not online or next_poll_at is None:
            came_online += not online
            returning.append(
                Device(
                    pk=device_id,
                    online=True,
                    last_seen=now,
                    updated_at=now,
                    # Never read (it left before its first read): due at once, as if new.
                    next_poll_at=now if alarm_enabled is None else first_poll_at(partner, uid, listed_family, now),
                )
            )
    for uid, row in known.items():
        if through_core_server(row[2]) and row[6] and uid not in listed:
            gone.append(row[0])

    Device.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    Device.objects.bulk_update(
        changed,
        ["family", "model", "firmware_version", "capabilities", "channel_count", "updated_at"],
        batch_size=BATCH,
    )
    AuditEntry.objects.bulk_create(audits, batch_size=BATCH)
    # Every listed device was seen now; those that were offline also get a first poll.
    for batch in _batches(present):
        Device.objects.filter(id__in=batch).update(last_seen=now)
    Device.objects.bulk_update(returning, ["online", "last_seen", "next_poll_at", "updated_at"], batch_size=BATCH)
    # Offline devices are not polled: next_poll_at = NULL keeps them out of the sweep.
    for batch in _batches(gone):
        Device.objects.filter(id__in=batch).update(online=False, next_poll_at=None, updated_at=now)
    return SyncResult(added=len(new), updated=len(changed), went_offline=len(gone), came_online=came_online)


def _new_device(partner: Partner, item: OnlineDevice, now: datetime) -> Device:
    family = _family(item.family)
    return Device(
        partner=partner,
        uid=item.uid,
        transport=Transport.ROP,
        family=family,
        model=item.model[:31],
        firmware_version=item.firmware[:31],
        online=True,
        last_seen=now,
        capabilities=derived_capabilities(family, item.model),
        channel_count=channel_count_of(item.model),
        # Due at once: a device the console has never read shows no name and no state.
        # The sweep's budget share paces a large new fleet.
        next_poll_at=now,
    )


def _change_entries(
    partner: Partner, device_id: int, uid: str, old_model: str, new_model: str, old_fw: str, new_fw: str
) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    target = audit.Target(Device._meta.label_lower, device_id, uid)
    # No user: the audit log shows "system" for changes the console only observed.
    if old_model != new_model:
        entries.append(
            audit.entry(
                partner,
                "device.model_changed",
                target=target,
                params={"from": old_model, "to": new_model},
                message=f"Model {old_model or '—'} → {new_model}",
            )
        )
    if old_fw != new_fw:
        entries.append(
            audit.entry(
                partner,
                "device.firmware_changed",
                target=target,
                params={"from": old_fw, "to": new_fw},
                message=f"Firmware {old_fw or '—'} → {new_fw}",
            )
        )
    return entries


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
