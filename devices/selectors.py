from django.db.models import Count, Q

from alarms.models import AlarmEvent

from .models import Device

LOW_BATTERY_PERCENT = 20


def fleet_summary(partner) -> dict:
    """The overview's figures in one aggregate query."""
    return Device.objects.filter(partner=partner).aggregate(
        total_count=Count("id"),
        online_count=Count("id", filter=Q(online=True)),
        offline_count=Count("id", filter=Q(online=False)),
        low_battery_count=Count("id", filter=Q(battery_percent__lt=LOW_BATTERY_PERCENT)),
        charging_count=Count("id", filter=Q(charge_status="charging")),
        alarms_off_count=Count("id", filter=Q(alarm_enabled=False)),
    )


def firmware_by_model(partner) -> list[dict]:
    return list(
        Device.objects.filter(partner=partner)
        .values("model", "firmware_version")
        .annotate(count=Count("id"))
        .order_by("model", "-count")
    )


def recent_alarms(partner, limit=10):
    return AlarmEvent.objects.filter(partner=partner).select_related("device").order_by("-id")[:limit]
