"""Creating, revoking and checking API tokens. A token is `rfk_<prefix>_<secret>`; the
database holds the prefix (to find the row) and the SHA-256 of the whole token, never the
token: a copy of the database lets nobody call the API."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.utils import timezone

from audit.services import record
from partners.models import Partner

from .models import ApiToken

SCHEME = "rfk"
# last_used_at/ip are written at most this often per token: a busy exporter must not turn
# every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    partner: Partner, user: User | AnonymousUser, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """(the row, the token): the token is for showing once and is not kept anywhere."""
    prefix = secrets.token_hex(6)
    token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        partner=partner,
        name=name,
        prefix=prefix,
        token_sha256=_digest(token),
        created_by=user if user.is_authenticated else None,
        expires_at=expires_at,
    )
    record(partner, "api_token.create", user=user, target=row, params={"name": name, "expires_at": str(expires_at)})
    return row, token


def revoke_token(row: ApiToken, user: User | AnonymousUser) -> bool:
    """False if it was already revoked."""
    changed = ApiToken.objects.filter(id=row.id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if changed:
        record(row.partner, "api_token.revoke", user=user, target=row, params={"name": row.name})
    return bool(changed)


def authenticate(token: str, address: str | None) -> ApiToken | None:
    """The active token `token` is, or None (unknown, wrong secret, revoked or expired)."""
    parts = token.split("_", 2)  # the secret (urlsafe base64) may hold "_" too
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1] or len(parts[1]) > 16:
        return None
    row = ApiToken.objects.select_related("partner").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.token_sha256, _digest(token)) or not row.is_active:
        return None
    now = timezone.now()
    # One conditional UPDATE: concurrent requests of the same minute write once.
    ApiToken.objects.filter(id=row.id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now, last_used_ip=address)
    return row
