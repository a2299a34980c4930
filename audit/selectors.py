from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.pagination import id_page
from partners.models import Partner

from .models import AuditEntry

AUDIT_PAGE_SIZE = 50


def audit_page(partner: Partner, filters: dict[str, Any]) -> tuple[list[AuditEntry], int | None]:
    """One page of the audit log, newest first, with keyset pagination on id
    (no COUNT, no OFFSET: the log only grows). Returns the rows and the id to
    pass as `before` for the next page, or None on the last page."""
    return id_page(filtered_entries(partner, filters), AUDIT_PAGE_SIZE, filters.get("before"), newest_first=True)


def filtered_entries(partner: Partner, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The partner's entries matching AuditFilterForm's values (the page and the API)."""
    qs = AuditEntry.objects.filter(partner=partner).select_related("user")
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("device"):
        # A device's label is its uid (Target.of / Device.audit_label).
        qs = qs.filter(target_label=filters["device"].upper())
    if filters.get("user"):
        qs = qs.filter(user__username=filters["user"])
    if filters.get("result"):
        qs = qs.filter(result=filters["result"])
    if filters.get("since"):
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(filters["since"], time.min)))
    if filters.get("until"):
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(filters["until"], time.max)))
    return qs


def audit_actions(partner: Partner) -> list[str]:
    return list(
        AuditEntry.objects.filter(partner=partner).order_by("action").values_list("action", flat=True).distinct()
    )
