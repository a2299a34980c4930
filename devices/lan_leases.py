"""Leases on LAN devices, so that several LAN pollers share them and never poll one
twice (alarms/lan_poller). A poller owns a device while ``lan_poller`` is its id and
``lan_lease_until`` is in the future; every change is a conditional UPDATE, so two
pollers racing for one device cannot both win. See docs/lan-poller.md."""

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from .models import Device, LanPollerHeartbeat, Transport

# A poller sheds devices only when it holds more than its share plus this much (at least
# one device), so that shares rounding differently never make devices move back and forth.
SHED_SLACK = 0.1
# Heartbeats of pollers gone this long are deleted (a live one renews every few seconds).
FORGET_AFTER = timedelta(days=1)


def lan_devices() -> QuerySet[Device]:
    """Devices a LAN poller polls: LAN transport with an address."""
    return Device.objects.filter(transport=Transport.LAN).exclude(lan_host="").exclude(lan_port=None)


def _free(now: datetime) -> Q:
    return Q(lan_lease_until__isnull=True) | Q(lan_lease_until__lte=now)


def renew(poller: str, now: datetime, lease: timedelta) -> int:
    """Extend every lease this poller holds. A lease another poller took over (after
    this one stalled past its end) is no longer this poller's and is not touched; a
    device that left the LAN transport keeps its lease only until it runs out."""
    return lan_devices().filter(lan_poller=poller).update(lan_lease_until=now + lease)


def claim(poller: str, now: datetime, lease: timedelta, limit: int) -> list[int]:
    """Take up to ``limit`` unleased (or expired) LAN devices; returns their ids. Rows
    another poller is claiming at this moment are skipped, not waited for."""
    if limit <= 0:
        return []
    with transaction.atomic():
        ids = list(
            lan_devices()
            .filter(_free(now))
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        # The lease condition again: the UPDATE is the decision, the SELECT only a shortlist.
        Device.objects.filter(_free(now), id__in=ids).update(lan_poller=poller, lan_lease_until=now + lease)
        return list(Device.objects.filter(id__in=ids, lan_poller=poller).values_list("id", flat=True))


def owned(poller: str, now: datetime) -> QuerySet[Device]:
    """The LAN devices this poller holds a live lease on."""
    return lan_devices().filter(lan_poller=poller, lan_lease_until__gt=now)


def release(poller: str, ids: list[int] | None = None) -> int:
    """Give leases back (all of this poller's, or ``ids``) so another poller takes them at once."""
    rows = Device.objects.filter(lan_poller=poller)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    return rows.update(lan_poller="", lan_lease_until=None)


def share(poller: str, now: datetime, lease: timedelta) -> int:
    """Record this poller as alive for one lease and return its fair share of the LAN
    devices: all of them divided by the live pollers, rounded up (so that together the
    shares always cover every device)."""
    LanPollerHeartbeat.objects.update_or_create(poller=poller, defaults={"seen_until": now + lease})
    LanPollerHeartbeat.objects.filter(seen_until__lt=now - FORGET_AFTER).delete()
    live = LanPollerHeartbeat.objects.filter(seen_until__gt=now).count()
    return math.ceil(lan_devices().count() / max(live, 1))


def shed(poller: str, now: datetime, keep: int) -> list[int]:
    """Release this poller's devices beyond ``keep`` plus the slack (its newest leases
    first) so that a poller with fewer claims them; returns the ids given back."""
    mine = list(owned(poller, now).order_by("id").values_list("id", flat=True))
    if len(mine) <= keep + max(1, int(keep * SHED_SLACK)):
        return []
    extra = mine[keep:]
    release(poller, extra)
    return extra


def forget(poller: str) -> None:
    """A poller stopping: no longer counted in the others' shares."""
    LanPollerHeartbeat.objects.filter(poller=poller).delete()
