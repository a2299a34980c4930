"""The webhook's hot path, kept to two queries per alarm (bench/bench_webhook.py
measures it): one SELECT finds the partner with its alarm settings, the device the
alarm is about and the event it would fold into; then one write, either a
conditional UPDATE of that event (a duplicate) or an INSERT.

Duplicates: an alarm of the same partner, device, channel, status and AI types
arriving within ALARM_DEDUPE_SECONDS of an event's first alarm adds to that event's
count and moves its last_seen_at, so an alarm storm is one row per window, not one
per POST. Identical alarms arriving at the same moment (a Core Server delivers in
parallel) do not see each other in the lookup; the INSERT is then an upsert on the
event's slot (received_at in whole windows, unique with the alarm's fields), so the
second folds into the first. Only two simultaneous first alarms either side of a slot
boundary still make two events."""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Expression, F, OuterRef, QuerySet, Subquery

from devices.models import Device
from partners.models import Partner
from rop import AlarmNotification

from .models import AlarmEvent, AlarmSettings, AlarmSource


def dedupe_window() -> timedelta:
    return timedelta(seconds=settings.ALARM_DEDUPE_SECONDS)


def duplicates_of(
    partner: Partner | Expression | OuterRef, notification: AlarmNotification, now: datetime
) -> QuerySet[AlarmEvent]:
    """Events an alarm folds into, newest first (at most one in practice)."""
    return AlarmEvent.objects.filter(
        partner=partner,
        device_uid=notification.uid,
        channel=notification.channel,
        status=notification.status,
        ai_types=sorted(notification.ai_types),
        received_at__gte=now - dedupe_window(),
    ).order_by("-received_at")  # by id, the planner might walk the partner's whole id index instead


def find_partner(slug: str, notification: AlarmNotification | None, now: datetime) -> Partner | None:
    """The partner of a webhook address, with its alarm settings, and, when the body
    parsed, `alarm_device_id` and `alarm_duplicate_id` (None when there is none)."""
    partners = Partner.objects.filter(slug=slug).select_related("alarm_settings")
    if notification is not None:
        partners = partners.annotate(
            alarm_device_id=Subquery(
                # Unordered: (partner, uid) is unique, and Device's default ordering would add a sort.
                Device.objects.filter(partner=OuterRef("pk"), uid=notification.uid).order_by().values("id")[:1]
            ),
            alarm_duplicate_id=Subquery(duplicates_of(OuterRef("pk"), notification, now).values("id")[:1]),
        )
    return partners.first()


def settings_of(partner: Partner) -> AlarmSettings | None:
    """The partner's alarm settings if it has a row (loaded with the partner by find_partner)."""
    try:
        return partner.alarm_settings
    except AlarmSettings.DoesNotExist:
        return None


def store(
    partner: Partner, notification: AlarmNotification, now: datetime, source: AlarmSource = AlarmSource.WEBHOOK
) -> tuple[int, bool]:
    """(event id, whether the alarm folded into an existing event). `partner` comes
    from find_partner with this notification (its annotations say where to write)."""
    duplicate = getattr(partner, "alarm_duplicate_id", None)
    if duplicate is not None:
        # Claimed conditionally: if the window closed since the lookup, insert instead.
        folded = AlarmEvent.objects.filter(id=duplicate, received_at__gte=now - dedupe_window()).update(
            count=F("count") + 1, last_seen_at=now
        )
        if folded:
            return duplicate, True
    return _insert_or_fold(partner, notification, now, source)


def _insert_or_fold(
    partner: Partner, notification: AlarmNotification, now: datetime, source: AlarmSource
) -> tuple[int, bool]:
    """INSERT … ON CONFLICT on the slot's unique constraint: a new event, or one more on
    the event a concurrent request inserted for the same alarm a moment ago. Raw SQL
    because the ORM's upsert cannot add to a column; PostgreSQL and SQLite both speak it."""
    table = AlarmEvent._meta.db_table
    ops = connection.ops
    # The JSON text Django's JSONField writes: SQLite compares it as text, PostgreSQL as jsonb.
    ai_types = json.dumps(sorted(notification.ai_types))
    at = ops.adapt_datetimefield_value(now)
    slot = int(now.timestamp()) // max(1, settings.ALARM_DEDUPE_SECONDS)
    device_id = getattr(partner, "alarm_device_id", None)
    columns = "partner_id, device_id, device_uid, channel, status, ai_types, source, received_at, last_seen_at"
    # Only the table name is formatted in (from the model); every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}, count, dedupe_slot) VALUES ({', '.join(['%s'] * 9)}, 1, %s) "  # noqa: S608
        "ON CONFLICT (partner_id, device_uid, channel, status, ai_types, dedupe_slot) "
        f"DO UPDATE SET count = {table}.count + 1, last_seen_at = excluded.last_seen_at "
        "RETURNING id, count"
    )
    params = [partner.pk, device_id, notification.uid, notification.channel, notification.status, ai_types]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, str(source), at, at, slot])
        event_id, count = cursor.fetchone()
    return int(event_id), count > 1
