"""Creating, revoking and checking API tokens. A token is `rfk_<prefix>_<secret>`; the
database holds the prefix (to find the row) and the SHA-256 of the whole token, never the
token: a copy of the database lets nobody call the API."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.services import record
from partners.models import Membership, Partner

from .models import ApiToken, RevokedReason

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
    changed = ApiToken.objects.filter(id=row.id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=RevokedReason.BY_ADMIN
    )
    if changed:
        record(row.partner, "api_token.revoke", user=user, target=row, params={"name": row.name})
    return bool(changed)


def revoke_tokens_of_maker(maker: User, reason: RevokedReason, partner: Partner | None = None) -> int:
    """Revoke the live tokens `maker` made (in `partner`, or everywhere), one audit entry each.
    The system's doing (no user): the change that caused it (a member removed, a user
    deactivated) has its own entry or happened in the Django admin."""
    live = ApiToken.objects.filter(created_by=maker, revoked_at__isnull=True).select_related("partner")
    if partner is not None:
        live = live.filter(partner=partner)
    revoked = 0
    for row in live:
        changed = ApiToken.objects.filter(id=row.id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        if changed:
            revoked += 1
            record(
                row.partner,
                "api_token.revoke",
                target=row,
                params={"name": row.name, "maker": maker.username, "reason": reason.value},
                message=f"Token “{row.name}” of {maker.username} {reason.label.removeprefix('revoked: ')}.",
            )
    return revoked


def with_maker_standing(tokens: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
    """Annotates `maker_member`: whether the token's maker still belongs to its partner."""
    member = Membership.objects.filter(partner=OuterRef("partner"), user=OuterRef("created_by"))
    return tokens.annotate(maker_member=Exists(member))


def maker_in_good_standing(row: ApiToken) -> bool:
    """A token speaks for its maker: only while they are active and still belong to the
    partner (a superuser belongs to every partner). No maker on record: a token from before
    makers were recorded, which keeps working until revoked (see api/models.py)."""
    maker = row.created_by
    if maker is None:
        return True
    if not maker.is_active:
        return False
    return maker.is_superuser or Membership.objects.filter(partner_id=row.partner_id, user=maker).exists()


def authenticate(token: str, address: str | None) -> ApiToken | None:
    """The active token `token` is, or None (unknown, wrong secret, revoked or expired)."""
    parts = token.split("_", 2)  # the secret (urlsafe base64) may hold "_" too
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1] or len(parts[1]) > 16:
        return None
    row = ApiToken.objects.select_related("partner", "created_by").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.token_sha256, _digest(token)) or not row.is_active:
        return None
    # Checked on every call, not only revoked when the maker goes: a membership removed or a
    # user deactivated some way that sends no signal (a queryset update) stops the token too.
    if not maker_in_good_standing(row):
        return None
    now = timezone.now()
    # One conditional UPDATE: concurrent requests of the same minute write once.
    ApiToken.objects.filter(id=row.id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now, last_used_ip=address)
    return row
