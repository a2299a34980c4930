"""Reads only the API has (the others are the console lists' own selectors)."""

from typing import Any

from django.db.models import QuerySet

from devices.models import DeviceHealthSample
from partners.models import Partner

from .forms import day_end, day_start


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
