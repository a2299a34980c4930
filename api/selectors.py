"""Reads only the API has (the others are the console lists' own selectors)."""

from collections.abc import Iterator
from itertools import batched
from typing import Any

from django.db.models import QuerySet

from devices.filters import Sort
from devices.models import Device, DeviceHealthSample
from devices.selectors import ordering
from partners.models import Partner

from .forms import day_end, day_start

EXPORT_BATCH = 2000


def health_samples(partner: Partner, filters: dict[str, Any]) -> QuerySet[DeviceHealthSample]:
    qs = (
        DeviceHealthSample.objects.filter(device__partner=partner)
        .select_related("device")
        .only("id", "taken_at", "online", "battery_percent", "charge_status", "alarm_enabled", "device__uid")
    )
    if device := filters.get("device"):
        qs = qs.filter(device__uid=device)
    if since := filters.get("since"):
        qs = qs.filter(taken_at__gte=day_start(since))
    if until := filters.get("until"):
        qs = qs.filter(taken_at__lte=day_end(until))
    return qs


# The CSV's device columns, read as tuples: model instances cost several times as much per
# row, and an export is all rows.
_EXPORT_COLUMNS = (
    "id",
    "uid",
    "display_name",
    "model",
    "family",
    "transport",
    "firmware_version",
    "online",
    "last_seen",
    "battery_percent",
    "charge_status",
    "alarm_enabled",
)


def device_export_rows(qs: QuerySet[Device], sort: Sort) -> Iterator[dict[str, Any]]:
    """Every device of `qs` (devices.selectors.filtered_devices: the list's filters) in the
    list's order, as api.rows.device rows: a server-side cursor read CSV_BATCH rows at a
    time, and each batch's tags in one query."""
    rows = qs.order_by(*ordering(sort)).values_list(*_EXPORT_COLUMNS).iterator(chunk_size=EXPORT_BATCH)
    through = Device.tags.through
    for batch in batched(rows, EXPORT_BATCH):
        tags: dict[int, list[str]] = {}
        pairs = through.objects.filter(device_id__in=[r[0] for r in batch]).values_list("device_id", "tag__name")
        for device_id, name in pairs.order_by("tag__name"):
            tags.setdefault(device_id, []).append(name)
        for device_id, uid, name, model, family, transport, firmware, online, seen, battery, charge, alarm in batch:
            yield {
                "uid": uid,
                "name": name,
                "model": model,
                "family": family,
                "transport": transport,
                "firmware": firmware,
                "online": online,
                "last_seen": seen,
                "battery_percent": battery,
                "charge_status": charge,
                "alarm_enabled": alarm,
                "tags": tags.get(device_id, []),
            }
