from django.db.models import QuerySet

from partners.models import Partner

from .models import AlarmEvent


def recent_alarms(partner: Partner, limit: int = 10) -> QuerySet[AlarmEvent]:
    return AlarmEvent.objects.filter(partner=partner).select_related("device").order_by("-id")[:limit]
