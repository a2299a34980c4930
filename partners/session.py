"""The partner a user worked in last, remembered in the session so that the home page
opens it again. Set by every page that shows one partner's fleet as a whole."""

from django.http import HttpRequest

SESSION_KEY = "partner_slug"


def remember_partner(request: HttpRequest, slug: str) -> None:
    request.session[SESSION_KEY] = slug


def remembered_partner(request: HttpRequest) -> str | None:
    slug = request.session.get(SESSION_KEY)
    return slug if isinstance(slug, str) else None
