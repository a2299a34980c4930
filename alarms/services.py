from datetime import datetime

from django.conf import settings

from core import retention
from devices.models import Device
from partners.models import Partner
from rop import AlarmNotification

from .models import AlarmEvent, AlarmSource


def store_notification(
    partner: Partner, notification: AlarmNotification, source: AlarmSource = AlarmSource.WEBHOOK
) -> AlarmEvent:
    device = Device.objects.filter(partner=partner, uid=notification.uid).first()
    return AlarmEvent.objects.create(
        partner=partner,
        device=device,
        device_uid=notification.uid,
        channel=notification.channel,
        status=notification.status,
        ai_types=list(notification.ai_types),
        source=source,
    )


def prune_old_events(now: datetime | None = None) -> int:
    """Delete alarm events older than ALARM_RETENTION_DAYS (0: keep them all), in batches."""
    return retention.delete_older_than(AlarmEvent.objects.all(), "received_at", settings.ALARM_RETENTION_DAYS, now=now)
