"""Signal receivers, connected in AuditConfig.ready."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from partners.models import Partner

from .services import record


def record_partner_change(
    sender: object,
    *,
    partner: Partner,
    user: User | AnonymousUser | None,
    action: str,
    params: dict[str, Any] | None = None,
    **kwargs: object,
) -> None:
    """partners.signals.partner_changed: a change to a partner's settings or members."""
    record(partner, action, user=user, params=params)
