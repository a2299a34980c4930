"""Who is calling: a Bearer token (its own partner only) or a console session (the
partners the user is a member of). Checked in this order: 401 (no or bad credentials),
404 (a partner the caller may not see, told apart from one that does not exist by
nothing), 405 (anything but GET or HEAD)."""

import math

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest

from core.http import READ_METHODS
from core.request_budget import RequestBudget
from partners.access import Access, role_for, two_factor_missing
from partners.models import Partner, Role

from .errors import ApiError
from .models import ApiToken
from .tokens import authenticate


def api_access(request: HttpRequest, slug: str) -> Access:
    header = request.headers.get("Authorization", "")
    partner = Partner.objects.filter(slug=slug).first()
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "bad_authorization", "Send the token as: Authorization: Bearer <token>.")
        row = authenticate(token.strip(), get_client_ip_address(request))
        if row is None:
            why = "This token is unknown, revoked or expired, or its maker no longer belongs to the partner."
            raise ApiError(401, "bad_token", why)
        _take_from_rate_limit(row)
        if partner is None or row.partner_id != partner.id:
            raise ApiError(404, "not_found", "No such partner.")
        access = Access(partner, Role.VIEWER)
    else:
        if not request.user.is_authenticated:
            raise ApiError(401, "not_authenticated", "Send an API token: Authorization: Bearer <token>.")
        role = role_for(request.user, partner) if partner else None
        if partner is None or role is None:
            raise ApiError(404, "not_found", "No such partner.")
        if two_factor_missing(request, partner, role):
            why = "This partner requires two-factor authentication of its admins: set it up in the console."
            raise ApiError(403, "two_factor_required", why)
        access = Access(partner, role)
    if request.method not in READ_METHODS:
        raise ApiError(405, "method_not_allowed", "The API is read-only: use GET.")
    return access


def _take_from_rate_limit(row: ApiToken) -> None:
    """429 once the token has used its API_TOKEN_RATE_PER_MINUTE: a bucket of that many
    requests refilling over a minute, so a steady exporter never waits and a burst is cut off.
    Counted after authentication (an unknown token has no bucket to fill) and before the
    partner check, so probing other partners' slugs costs the same."""
    per_minute = settings.API_TOKEN_RATE_PER_MINUTE
    if per_minute <= 0:
        return
    budget = RequestBudget(f"api-token:{row.id}", per_minute / 60, burst=per_minute)
    wait = budget.try_acquire()
    if wait > 0:
        retry_after = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "rate_limited",
            f"This token may make {per_minute} requests a minute; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
