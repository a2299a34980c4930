from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core.pagination import id_page
from devices.models import Tag
from partners.models import Partner
from rop.validation import UID_PATTERN

from .models import AlarmEvent

FEED_PAGE_SIZE = 50
# New alarms one poll brings at most; beyond that the feed offers a reload.
POLL_LIMIT = 50
DEVICE_PAGE_ALARMS = 10


def recent_alarms(partner: Partner, limit: int = 10) -> QuerySet[AlarmEvent]:
    return AlarmEvent.objects.filter(partner=partner).select_related("device").order_by("-id")[:limit]


def filtered_alarms(partner: Partner, filters: dict[str, Any]) -> QuerySet[AlarmEvent]:
    """A partner's alarms matching the feed's filters (alarms.filters.AlarmFilterForm)."""
    qs = AlarmEvent.objects.filter(partner=partner).select_related("device")
    if device := filters.get("device"):
        match = Q(device__display_name__icontains=device)
        if UID_PATTERN.fullmatch(device.upper()):
            match |= Q(device_uid=device.upper())
        qs = qs.filter(match)
    if tag := filters.get("tag"):
        # A device carries a tag once: the join adds no duplicate rows.
        qs = qs.filter(device__tags__partner=partner, device__tags__name=tag)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if ai_type := filters.get("ai_type"):
        # The quoted name in the JSON text: type names are letters, digits and "_" (rop.alarms),
        # so this matches whole names only, and works on SQLite too (no JSON containment there).
        qs = qs.filter(ai_types=[]) if ai_type == "none" else qs.filter(ai_types__icontains=f'"{ai_type}"')
    if online := filters.get("online"):
        qs = qs.filter(device__online=online == "yes")
    return qs


def feed_page(qs: QuerySet[AlarmEvent], after: int | None) -> tuple[list[AlarmEvent], int | None]:
    """Newest first, FEED_PAGE_SIZE at a time, by id: no COUNT, no OFFSET."""
    return id_page(qs, FEED_PAGE_SIZE, after, newest_first=True)


def newer_than(qs: QuerySet[AlarmEvent], since: int) -> list[AlarmEvent]:
    """Alarms that arrived after `since` (the newest id the page shows), newest first;
    one more than POLL_LIMIT tells the page there were more."""
    return list(qs.filter(id__gt=since).order_by("-id")[: POLL_LIMIT + 1])


def changed_since(qs: QuerySet[AlarmEvent], since: int, seen: datetime) -> list[AlarmEvent]:
    """Events a page already shows (id <= since) that folded more alarms after `seen`.
    Only an event whose first alarm is younger than the dedupe window can still change
    (alarms/ingest.py), so the scan is bounded by received_at (index
    alarm_partner_received) to two windows before `seen`, whatever the feed's age."""
    window = timedelta(seconds=2 * max(1, settings.ALARM_DEDUPE_SECONDS))
    # count > 1: an event never folded into has not changed since the page showed it.
    changed = qs.filter(id__lte=since, received_at__gte=seen - window, last_seen_at__gt=seen, count__gt=1)
    return list(changed.order_by("-id")[:POLL_LIMIT])


def newest_id(partner: Partner) -> int:
    """The id a feed polls from: new alarms of any filter have a larger one."""
    return AlarmEvent.objects.filter(partner=partner).order_by("-id").values_list("id", flat=True).first() or 0


def tag_names(partner: Partner) -> list[str]:
    return list(Tag.objects.filter(partner=partner).values_list("name", flat=True))


def device_alarms(partner: Partner, uid: str) -> list[AlarmEvent]:
    """The device page's latest alarms (by uid: kept before the device was synced too)."""
    qs = AlarmEvent.objects.filter(partner=partner, device_uid=uid).select_related("device")
    return list(qs.order_by("-id")[:DEVICE_PAGE_ALARMS])
