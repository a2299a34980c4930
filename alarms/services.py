"""Changes to alarms outside the webhook's hot path (alarms/ingest.py): a partner's alarm
settings and the retention prune."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from audit.services import record
from partners.models import Partner

from .models import AlarmEvent, AlarmSettings

# Rows deleted per statement by the prune: short transactions, no long lock on the table.
PRUNE_BATCH = 5000


def settings_for(partner: Partner) -> AlarmSettings:
    """The partner's alarm settings, unsaved defaults when it has none yet."""
    return AlarmSettings.objects.filter(partner=partner).first() or AlarmSettings(partner=partner)


@transaction.atomic
def save_settings(
    partner: Partner, user: User | AnonymousUser, retention_days: int | None, networks: list[str]
) -> None:
    alarm_settings = settings_for(partner)
    before: dict[str, Any] = {
        "retention_days": alarm_settings.retention_days,
        "allowed_networks": list(alarm_settings.allowed_networks),
    }
    alarm_settings.retention_days = retention_days
    alarm_settings.allowed_networks = networks
    alarm_settings.save()
    after = {"retention_days": retention_days, "allowed_networks": networks}
    changed = {name: value for name, value in after.items() if before[name] != value}
    record(partner, "alarms.settings", user=user, params=changed or after)


def retention_days_of(partner_days: int | None) -> int:
    """A partner's retention, else the console's ALARM_RETENTION_DAYS (0: keep forever)."""
    return partner_days or settings.ALARM_RETENTION_DAYS


def prune_old_events(now: datetime | None = None) -> int:
    """Delete every partner's alarm events older than its retention, in batches; answers how many."""
    now = now or timezone.now()
    deleted = 0
    for partner_id, partner_days in Partner.objects.values_list("id", "alarm_settings__retention_days"):
        days = retention_days_of(partner_days)
        if days <= 0:
            continue
        old = AlarmEvent.objects.filter(partner_id=partner_id, received_at__lt=now - timedelta(days=days))
        while ids := list(old.order_by("pk").values_list("id", flat=True)[:PRUNE_BATCH]):
            deleted += AlarmEvent.objects.filter(id__in=ids).delete()[0]
    return deleted
