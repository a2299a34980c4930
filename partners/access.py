"""The one way a view reaches a partner: `get_access(request, slug, need, methods)`,
or `get_object_for(request, slug, queryset, need, methods, **lookup)` for a view on
one of its objects.

Checks run in this order, so that nothing about another partner leaks: another
partner's slug (or an object not of this partner) answers 404, never a hint that it
exists; then a method the view does not take answers 405; then a role below `need`
answers 403. An admin of a partner requiring two-factor authentication whose session has
not passed a code (they have none yet) is sent to enrol first (TwoFactorRequired, turned into
a redirect by MethodNotAllowedMiddleware). Superusers may open every partner, as admins. Django's is_staff alone opens
/admin/ and nothing else: a staff flag set for the admin site must not make someone an
admin of every partner's cameras (issue 22).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from core.http import READ_METHODS

from .models import ROLE_RANK, Membership, Partner, Role

# The HTTP methods a view takes; None = any (the caller checks them later).
type Methods = Collection[str]


class MethodNotAllowed(Exception):
    """Raised by get_access; MethodNotAllowedMiddleware turns it into a 405."""

    def __init__(self, allowed: Iterable[str]) -> None:
        super().__init__(f"allowed: {', '.join(allowed)}")
        self.allowed = list(allowed)


class TwoFactorRequired(Exception):
    """Raised by get_access; MethodNotAllowedMiddleware sends the user to enrol."""

    def __init__(self, partner_slug: str) -> None:
        super().__init__(f"two-factor authentication required by {partner_slug}")
        self.partner_slug = partner_slug


def two_factor_missing(request: HttpRequest, partner: Partner, role: Role) -> bool:
    """The partner requires two-factor authentication of its admins, and this admin's
    session has not passed a code (TwoFactorMiddleware logged out every session of a user
    with a device that did not, so: the user has no device yet)."""
    if role != Role.ADMIN or not partner.require_two_factor_for_admins:
        return False
    check = getattr(request.user, "is_verified", None)
    return not (check and check())


@dataclass(frozen=True)
class Access:
    partner: Partner
    role: Role

    def allows(self, need: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[need]

    def require(
        self, request: HttpRequest, need: Role = Role.VIEWER, methods: Methods | None = READ_METHODS
    ) -> "Access":
        """405 for a method the view does not take, then 403 for a role below `need`."""
        if methods is not None and request.method not in methods:
            raise MethodNotAllowed(methods)
        if not self.allows(need):
            raise PermissionDenied(f"This needs the {need.label.lower()} role")
        return self

    @property
    def can_operate(self) -> bool:
        return self.allows(Role.OPERATOR)

    @property
    def is_admin(self) -> bool:
        return self.allows(Role.ADMIN)


def role_for(user: User | AnonymousUser, partner: Partner) -> Role | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    role = Membership.objects.filter(user=user, partner=partner).values_list("role", flat=True).first()
    return Role(role) if role else None


def get_access(
    request: HttpRequest, slug: str, need: Role = Role.VIEWER, methods: Methods | None = READ_METHODS
) -> Access:
    """The request's access to a partner (views on one object use get_object_for)."""
    partner = Partner.objects.filter(slug=slug).first()
    role = role_for(request.user, partner) if partner else None
    if partner is None or role is None:
        raise Http404("No such partner")
    if two_factor_missing(request, partner, role):
        raise TwoFactorRequired(partner.slug)
    access = Access(partner, role)
    request.access = access  # type: ignore[attr-defined]  # for templates: nav, role-dependent buttons
    return access.require(request, need, methods)


def get_object_for[M: Model](
    request: HttpRequest,
    slug: str,
    queryset: QuerySet[M],
    need: Role = Role.VIEWER,
    methods: Methods | None = READ_METHODS,
    **lookup: Any,
) -> tuple[Access, M]:
    """(access, object) for a view on one of a partner's objects: another partner,
    or an object not of this partner, answers 404 before the method (405) and the
    role (403) are checked, so nothing tells whether it exists elsewhere."""
    access = get_access(request, slug, methods=None)
    obj = get_object_or_404(queryset, partner=access.partner, **lookup)
    access.require(request, need, methods)
    return access, obj


def partners_for(user: User | AnonymousUser) -> QuerySet[Partner]:
    """The partners a user may switch to."""
    if user.is_superuser:
        return Partner.objects.all()
    if isinstance(user, AnonymousUser):
        return Partner.objects.none()
    return Partner.objects.filter(memberships__user=user)
