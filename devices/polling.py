"""Health polling: battery, alarm state, display name and PIR settings of each device.

Each device carries its own `next_poll_at`. A beat-driven sweep claims the devices
that are due and enqueues one small task per device, so a slow or offline device
only ever holds up its own task. When polls happen:

- First read at once: a device the console has never read (no name, no state) is due
  as soon as sync sees it, battery cameras included, so a freshly synced fleet is read
  within minutes; the budget below paces a large fleet over several sweeps.
- Then on the partner's interval, per family: battery cameras pay with battery for
  every request that wakes them, so they are polled far less often than powered ones.
- Spread over the interval, never all at once: after the first read a device's next
  poll lands at a stable, hash-derived place of its uid between half an interval and
  one and a half (a fleet read together does not stay together, and a battery camera
  is not woken twice in its first hours); later ones one interval (± jitter) after
  the last.
- Within the partner's request budget: every call goes through the connection layer's
  client (`devices.connection`, on `partners.rop_clients.rop_client_for`),
  whose limiter is the fleet-wide RequestBudget, and a sweep plans no more polls
  than its share of that budget allows.

Offline devices are not polled: sync marks them offline (next_poll_at = NULL) and
brings them back with a fresh next_poll_at within a few minutes. Snapshots are never
fetched here: they wake battery cameras and cost bandwidth for nobody's benefit.
"""

import hashlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.request_budget import BudgetTimeout
from partners.circuit import circuit_state
from partners.models import Partner
from partners.rop_clients import warn_token_unreadable
from rop import Battery, PirConfig, RopClient
from rop import errors as rop_errors

from .capabilities import abilities_of
from .connection import POLL, ROP_FAILURES, THROUGH_CORE_SERVER, describe, is_server_failure, rop_client, using_rop
from .models import Device, DeviceHealthSample, Family

logger = logging.getLogger(__name__)

# A battery poll is battery + alarm + name + PIR; a powered one one call fewer.
CALLS_PER_POLL = 4
# Returning devices get a poll within this window even when the interval is hours
# long; a device never read is claimed for no longer than this (a lost first-read
# task is retried within minutes, not one battery interval later), and a failed
# first read backs off from it.
FIRST_POLL_WINDOW_SECONDS = 300
# Polls are background work: their retry policy and budget wait are the connection
# layer's POLL policy (devices/connection/policies.py).
# Backoff after failures doubles the interval per failure, up to a day.
MAX_BACKOFF = timedelta(days=1)
JITTER = 0.1


# --- when -----------------------------------------------------------------------------


def interval_for(partner: Partner, family: str) -> int:
    if family == Family.BATTERY:
        return partner.battery_poll_seconds
    return partner.powered_poll_seconds


def spread_offset(uid: str, window_seconds: int) -> timedelta:
    """A stable offset in [0, window) from the uid, so a fleet's polls are spread evenly
    (and the same device keeps its place across syncs and restarts)."""
    digest = int.from_bytes(hashlib.blake2b(uid.encode(), digest_size=8).digest(), "big")
    return timedelta(seconds=digest % max(1, int(window_seconds)))


def never_read() -> Q:
    """Devices the console has not read yet: every successful poll stores the alarm
    state, and nothing clears it again."""
    return Q(alarm_enabled__isnull=True)


def first_read_window(partner: Partner, family: str) -> int:
    return min(interval_for(partner, family), FIRST_POLL_WINDOW_SECONDS)


def first_poll_at(partner: Partner, uid: str, family: str, now: datetime) -> datetime:
    """A returning device's next poll: within the first-read window, spread by uid."""
    return now + spread_offset(uid, first_read_window(partner, family))


def poll_after_first_read(partner: Partner, uid: str, family: str, now: datetime) -> datetime:
    """Half an interval to one and a half after the first read, at the uid's place:
    first reads come together, later polls spread over the interval."""
    interval = interval_for(partner, family)
    return now + timedelta(seconds=interval / 2) + spread_offset(uid, interval)


def next_poll_after(
    partner: Partner, family: str, now: datetime, failures: int = 0, *, first_read: bool = False
) -> datetime:
    """One interval (± jitter) after now; after failures, a doubling backoff from the
    interval, or from the first-read window while the device has never been read."""
    interval = timedelta(seconds=first_read_window(partner, family) if first_read else interval_for(partner, family))
    if failures:
        interval = min(interval * 2 ** min(failures, 10), max(MAX_BACKOFF, interval))
    return now + interval * random.uniform(1 - JITTER, 1 + JITTER)


# --- one device -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    battery: Battery | None
    alarm_enabled: bool
    name: str
    pir: PirConfig | None


def _read(client: RopClient, device: Device) -> Reading:
    # The battery first: it is what wakes a sleeping camera for the calls after it.
    battery = client.get_battery(device.uid) if device.family == Family.BATTERY else None
    alarm_enabled = client.get_alarm_enabled(device.uid)
    name = client.get_device_name(device.uid)
    pir = None
    # Only models with a PIR sensor (or of unknown abilities) are asked: a request spent
    # on a certain cmd_not_support is a request less for the rest of the fleet.
    if abilities_of(device).pir:
        try:
            pir = client.get_pir_config(device.uid)
        except rop_errors.CommandNotSupported:
            pir = None  # an unknown model without a PIR sensor; not a failed poll
    return Reading(battery, alarm_enabled, name, pir)


def refresh_device(device: Device, *, client: RopClient | None = None) -> None:
    """Poll one device now: update its row and write a health sample.

    Raises rop.errors.RopError or BudgetTimeout when the poll fails, after recording
    the failure on the row (offline: marked offline; otherwise a failure count, the
    error symbol and a backed-off next_poll_at)."""
    try:
        with using_rop(device.partner, client) as rop:
            reading = _read(rop, device)
    except rop_errors.DeviceOffline as exc:
        _record_offline(device, timezone.now(), describe(exc).symbol)
        raise
    except BudgetTimeout as exc:
        _record_deferred(device, timezone.now(), describe(exc).symbol)
        raise
    except rop_errors.RopError as exc:
        if is_server_failure(exc):
            _record_outage(device, timezone.now(), describe(exc).symbol, exc)
        else:
            _record_failure(device, timezone.now(), describe(exc).symbol)
        raise
    _record_reading(device, timezone.now(), reading)


def poll_device(device: Device) -> bool:
    """The background poll: refresh_device with a short retry policy and budget wait;
    failures are recorded on the row, logged, and not raised (the next sweep decides)."""
    try:
        with rop_client(device.partner, kind=POLL) as rop:
            refresh_device(device, client=rop)
    except ROP_FAILURES as exc:
        logger.info("poll of %s failed: %s", device.uid, describe(exc).symbol)
        return False
    return True


def record_timeout(device: Device) -> None:
    """The task ran out of time (an unresponsive device or Core Server)."""
    _record_failure(device, timezone.now(), "poll_timeout")


def _record_reading(device: Device, now: datetime, reading: Reading) -> None:
    fields = [
        "online",
        "last_seen",
        "alarm_enabled",
        "display_name",
        "poll_failures",
        "last_poll_error",
        "next_poll_at",
        "updated_at",
    ]
    first_read = device.alarm_enabled is None
    device.online, device.last_seen = True, now
    device.alarm_enabled = reading.alarm_enabled
    device.display_name = reading.name[:31]
    device.poll_failures, device.last_poll_error = 0, ""
    if first_read:
        device.next_poll_at = poll_after_first_read(device.partner, device.uid, device.family, now)
    else:
        device.next_poll_at = next_poll_after(device.partner, device.family, now)
    if reading.battery is not None:
        device.battery_percent = max(0, min(100, reading.battery.percent))
        device.charge_status = str(reading.battery.charge_status)
        fields += ["battery_percent", "charge_status"]
    if reading.pir is not None:
        device.pir_enabled = reading.pir.enabled
        device.pir_sensitivity = reading.pir.sensitivity
        device.pir_reduce_mistakes = reading.pir.reduce_mistakes
        fields += ["pir_enabled", "pir_sensitivity", "pir_reduce_mistakes"]
    with transaction.atomic():
        device.save(update_fields=fields)
        DeviceHealthSample.objects.create(
            device=device,
            taken_at=now,
            online=True,
            battery_percent=device.battery_percent if reading.battery is not None else None,
            charge_status=device.charge_status if reading.battery is not None else "",
            alarm_enabled=reading.alarm_enabled,
        )


def _record_offline(device: Device, now: datetime, symbol: str) -> None:
    # last_seen is kept: it is when the device was last known to be there. Sync brings
    # it back (with a new next_poll_at) when the Core Server lists it again.
    device.online, device.next_poll_at = False, None
    device.last_poll_error = symbol
    with transaction.atomic():
        device.save(update_fields=["online", "next_poll_at", "last_poll_error", "updated_at"])
        DeviceHealthSample.objects.create(device=device, taken_at=now, online=False)


def _record_deferred(device: Device, now: datetime, symbol: str) -> None:
    # The budget is not the device's fault: no failure counted, try again soon.
    device.last_poll_error = symbol
    device.next_poll_at = now + timedelta(seconds=random.uniform(1, 4) * settings.POLL_SWEEP_SECONDS)
    device.save(update_fields=["last_poll_error", "next_poll_at", "updated_at"])


def _record_outage(device: Device, now: datetime, symbol: str, exc: rop_errors.RopError) -> None:
    # The Core Server failed, not the device: no failure counted and not marked offline
    # (an outage is not every device's failure). Polled again when the circuit lets calls
    # through (its retry time, on the real clock), or soon while it is still closed.
    device.last_poll_error = symbol
    if isinstance(exc, rop_errors.CircuitOpen):
        wait = max(float(settings.POLL_SWEEP_SECONDS), exc.retry_at - time.time())
    else:
        wait = random.uniform(1, 4) * settings.POLL_SWEEP_SECONDS
    device.next_poll_at = now + timedelta(seconds=wait)
    device.save(update_fields=["last_poll_error", "next_poll_at", "updated_at"])


def _record_failure(device: Device, now: datetime, symbol: str) -> None:
    device.poll_failures = min(device.poll_failures + 1, 32767)
    device.last_poll_error = symbol
    device.next_poll_at = next_poll_after(
        device.partner, device.family, now, failures=device.poll_failures, first_read=device.alarm_enabled is None
    )
    device.save(update_fields=["poll_failures", "last_poll_error", "next_poll_at", "updated_at"])


# --- the sweep ----------------------------------------------------------------------------


def polls_per_sweep(partner: Partner) -> int:
    """How many polls one sweep may plan for a partner: its share of the request budget
    over one sweep period. Devices beyond it wait for the next sweep (oldest first)."""
    requests = partner.request_budget * settings.POLL_SWEEP_SECONDS * settings.POLL_BUDGET_SHARE
    return max(1, int(requests // CALLS_PER_POLL))


def due_devices(
    partner: Partner, now: datetime, limit: int
) -> QuerySet[Device, tuple[int, str, datetime | None, bool | None]]:
    return (
        Device.objects.filter(partner=partner, transport__in=THROUGH_CORE_SERVER, online=True, next_poll_at__lte=now)
        .order_by("next_poll_at", "id")
        .values_list("id", "family", "next_poll_at", "alarm_enabled")[:limit]
    )


def claim_due_devices(partner: Partner, now: datetime | None = None) -> list[int]:
    """Claim the partner's due devices and answer their ids.

    Each claim is a conditional UPDATE that moves next_poll_at one interval ahead
    (for a first read, the first-read window) only if it still holds the value we
    read; a row count of 0 means another sweep (or a manual refresh) got there first.
    So two sweeps never enqueue the same device twice, and a poll task that is lost
    only delays that device one interval (or window)."""
    if partner.gateway_token_unreadable:
        # Nothing could be sent: leave its devices alone rather than fail each of them.
        warn_token_unreadable(partner)
        return []
    now = now or timezone.now()
    if core_server_resting(partner):
        return []  # nothing would be sent: the devices stay due for when it is back
    claimed = []
    for device_id, family, seen, alarm_enabled in due_devices(partner, now, polls_per_sweep(partner)):
        # A first read is held only a few minutes: if its task is lost, the device is
        # claimed again soon instead of showing "not read yet" for a battery interval.
        held = first_read_window(partner, family) if alarm_enabled is None else interval_for(partner, family)
        lease = now + timedelta(seconds=held)
        if Device.objects.filter(pk=device_id, next_poll_at=seen).update(next_poll_at=lease):
            claimed.append(device_id)
    return claimed


def core_server_resting(partner: Partner) -> bool:
    """The partner's circuit is open and not yet due for a probe (real time: the
    circuit's clock is Redis's)."""
    state = circuit_state(partner)
    return state is not None and state.retry_at.timestamp() > time.time()


def reschedule_after_interval_change(partner: Partner, now: datetime | None = None) -> int:
    """After a partner shortens an interval, devices scheduled beyond the new one are
    spread over it again (otherwise the change would take up to the old interval to
    show). Backed-off devices keep their backoff. Answers how many moved."""
    now = now or timezone.now()
    moved = []
    for family in (Family.POWERED, Family.BATTERY):
        interval = interval_for(partner, family)
        horizon = now + timedelta(seconds=interval) * (1 + JITTER)
        rows = Device.objects.filter(partner=partner, family=family, poll_failures=0, next_poll_at__gt=horizon)
        moved += [
            Device(pk=pk, next_poll_at=now + spread_offset(uid, interval)) for pk, uid in rows.values_list("id", "uid")
        ]
    Device.objects.bulk_update(moved, ["next_poll_at"], batch_size=1000)
    return len(moved)


# --- retention -----------------------------------------------------------------------------

PRUNE_BATCH = 5000


def prune_health_samples(partner: Partner, now: datetime | None = None) -> int:
    """Delete the partner's samples older than its retention, in batches so that a
    large backlog never becomes one huge transaction."""
    cutoff = (now or timezone.now()) - timedelta(days=partner.health_retention_days)
    old = DeviceHealthSample.objects.filter(device__partner=partner, taken_at__lt=cutoff)
    deleted = 0
    while ids := list(old.values_list("id", flat=True)[:PRUNE_BATCH]):
        deleted += DeviceHealthSample.objects.filter(id__in=ids).delete()[0]
    return deleted
