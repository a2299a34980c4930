"""Changes to a partner: its settings, its webhook secret and its members.

Each change and its audit entry are written in one transaction. The audit log sits
above partners (its page uses partners.access), so the entry is asked for with the
partner_changed signal rather than a call (see signals.py)."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from .forms import PartnerSettingsForm
from .models import Membership, Partner, Role, new_webhook_secret
from .signals import partner_changed, poll_intervals_changed

type Actor = User | AnonymousUser

POLL_INTERVAL_FIELDS = {"powered_poll_seconds", "battery_poll_seconds"}


class MembershipRefused(Exception):
    """A change an admin may not make to a membership; the message says why."""


@transaction.atomic
def save_settings(form: PartnerSettingsForm, by: Actor) -> Partner:
    """Save a valid settings form. The audit entry names what changed; a new gateway
    token is noted, never stored in the log."""
    partner = form.save()
    if POLL_INTERVAL_FIELDS & set(form.changed_data):
        poll_intervals_changed.send(sender=Partner, partner=partner)
    changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "new_gateway_token"}
    if form.cleaned_data.get("new_gateway_token"):
        changed["gateway_token_replaced"] = True
    _audit(partner, by, "partner.settings", changed)
    return partner


@transaction.atomic
def rotate_webhook_secret(partner: Partner, by: Actor) -> None:
    partner.webhook_secret = new_webhook_secret()
    partner.save(update_fields=["webhook_secret"])
    _audit(partner, by, "partner.webhook_secret_rotated")


@transaction.atomic
def add_member(partner: Partner, by: Actor, user: User, role: Role | str) -> Membership:
    membership = Membership.objects.create(user=user, partner=partner, role=role)
    _audit(partner, by, "member.added", {"username": user.username, "role": role})
    return membership


@transaction.atomic
def change_role(membership: Membership, by: Actor, role: Role | str) -> None:
    if membership.user_id == by.pk:
        raise MembershipRefused("You cannot change your own role.")
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(membership.partner, by, "member.role_changed", {"username": membership.user.username, "role": role})


@transaction.atomic
def remove_member(membership: Membership, by: Actor) -> None:
    if membership.user_id == by.pk:
        raise MembershipRefused("You cannot remove yourself.")
    membership.delete()
    _audit(membership.partner, by, "member.removed", {"username": membership.user.username})


def _audit(partner: Partner, by: Actor, action: str, params: dict[str, Any] | None = None) -> None:
    partner_changed.send(sender=Partner, partner=partner, user=by, action=action, params=params)
