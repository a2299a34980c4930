"""Writing the audit log. Parameters are stored without secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model

from core import retention
from partners.models import Partner
from rop.lan import scrub_tokens

from .models import AuditEntry

# Parameter names whose values never reach the audit log.
SECRET_KEYS = {"key", "password", "token", "gateway_token", "webhook_secret", "authcode", "code", "play_url"}


@dataclass(frozen=True)
class Target:
    """What an entry is about: a model label ("devices.device"), the row's id and how the
    log names it. Built from a row with Target.of, or directly when a caller has only ids
    (bulk writes)."""

    type: str
    id: int | None
    label: str

    @classmethod
    def of(cls, obj: Model) -> Target:
        # A model may say how the log names it (a device: its uid, which outlives the row).
        label = getattr(obj, "audit_label", None) or str(obj)
        return cls(obj._meta.label_lower, obj.pk, label)


def scrub(params: dict[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if name.lower() in SECRET_KEYS:
            clean[name] = "••••"
        elif isinstance(value, dict):
            clean[name] = scrub(value)
        else:
            clean[name] = value
    return clean


def entry(
    partner: Partner,
    action: str,
    *,
    user: User | AnonymousUser | None = None,
    target: Model | Target | None = None,
    params: dict[str, Any] | None = None,
    result: str = "ok",
    message: str = "",
) -> AuditEntry:
    """An unsaved entry, for callers that write many at once (bulk_create)."""
    if isinstance(target, Model):
        target = Target.of(target)
    return AuditEntry(
        partner=partner,
        user=user if (user is not None and user.is_authenticated) else None,
        action=action,
        target_type=target.type if target else "",
        target_id=target.id if target else None,
        target_label=target.label[:100] if target else "",
        params=scrub(params),
        result=result,
        # LAN errors arrive scrubbed; this catches any other text quoting a LAN URL.
        message=scrub_tokens(message)[:2000],
    )


def record(
    partner: Partner,
    action: str,
    *,
    user: User | AnonymousUser | None = None,
    target: Model | Target | None = None,
    params: dict[str, Any] | None = None,
    result: str = "ok",
    message: str = "",
) -> AuditEntry:
    """Write one entry now."""
    new = entry(partner, action, user=user, target=target, params=params, result=result, message=message)
    new.save()
    return new


def prune_old_entries(now: datetime | None = None) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS (0: keep them all), in batches."""
    return retention.delete_older_than(AuditEntry.objects.all(), "created_at", settings.AUDIT_RETENTION_DAYS, now=now)
