"""A bench's partners, people and their sessions, in the bench's database."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.support.processes import Ropsim
    from partners.models import Partner, Role

PASSWORD = "bench-password-123"


def quiet(*loggers: str) -> None:
    """Warnings only from these loggers: one line per refused call of a big fleet (a PIR read
    of a camera without PIR, say) would cost more than the calls."""
    for name in loggers:
        logging.getLogger(name).setLevel(logging.WARNING)


def partner(slug: str, *, sim: Ropsim | None = None, token: str = "", request_budget: float | None = None) -> Partner:
    """A partner named after `slug`. On `sim`'s Core Server: its fleet synced, with a rested
    request budget (an earlier run's bucket in Redis removed). Without: a Core Server that
    never answers (port 9), for benches that call none."""
    from core.request_budget import _redis
    from devices.sync import sync_partner
    from partners.models import Partner

    fields: dict[str, object] = {"gateway_token": token}
    if request_budget is not None:
        fields["request_budget"] = request_budget
    name = slug.replace("-", " ").capitalize()
    url = sim.url if sim else "http://127.0.0.1:9"
    created = Partner.objects.create(name=name, slug=slug, rop_base_url=url, **fields)
    if sim is not None:
        client = _redis()
        if client is not None:
            client.delete(f"rop-budget:partner:{created.id}")
        sync_partner(created)
    return created


def member(partner: Partner, username: str, role: Role) -> User:
    """A user with `role` in `partner` (password PASSWORD)."""
    from django.contrib.auth import get_user_model

    from partners.models import Membership

    user = get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD)
    Membership.objects.create(user=user, partner=partner, role=role)
    return user


def session_cookie(user: User) -> str:
    """A logged-in session of `user`: the session cookie's value, for a browser-like client."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)
