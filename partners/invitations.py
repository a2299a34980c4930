"""Invitations to join a partner: how an admin adds a member without learning whether an
account exists in the installation.

The admin gives an email address and a role; `invite` makes an invitation whatever the
address (an account with it or not, a member already or not) and `send_invitation` mails
the accept link, so the admin's answer is always the same. The link's token is random
(32 bytes) and kept as SHA-256 only; it works once, for INVITATION_DAYS, until revoked.
Whoever opens the link logs in, or creates an account with that address as its user name,
and accepts (`accept`). Made, accepted and revoked invitations are audited.

Email: `send_invitation` is the one place an invitation is mailed (Django's email backend,
EMAIL_URL; the console backend by default prints it)."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation, Membership, Partner, Role
from .signals import partner_changed

log = logging.getLogger(__name__)

INVITATION_DAYS = 7

type Actor = User | AnonymousUser


class InvitationRefused(Exception):
    """The invitation cannot be accepted; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(partner: Partner, by: Actor, email: str, role: Role | str) -> tuple[Invitation, str]:
    """(invitation, token): the token is in the accept link only, never stored."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        partner=partner,
        email=email,
        role=role,
        token_sha256=_hash(token),
        created_by=by if isinstance(by, User) else None,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    _audit(partner, by, "invitation.created", {"email": email, "role": role, "invitation": invitation.pk})
    return invitation, token


def send_invitation(invitation: Invitation, accept_url: str) -> bool:
    """Mail the accept link to the invited address. False if the mail could not be sent (the
    admin is told and can pass the link on); never raises."""
    who = invitation.created_by.get_username() if invitation.created_by else "An admin"
    body = (
        f"{who} invites you to {invitation.partner.name} on ROP Fleet as {invitation.role}.\n\n"
        f"Open this link to accept (it works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n"
        f"{accept_url}\n\n"
        "If you did not expect this, ignore this message."
    )
    try:
        send_mail(f"Invitation to {invitation.partner.name}", body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:  # any backend failure (SMTP down, refused): the invitation stands
        log.warning("could not send invitation %s", invitation.pk, exc_info=True)
        return False
    return True


def find(token: str) -> Invitation | None:
    """The invitation of a link, if it can still be accepted (not used, revoked or expired)."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("partner")
        .filter(token_sha256=_hash(token), accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .first()
    )


def pending_for(partner: Partner) -> QuerySet[Invitation]:
    return (
        partner.invitations.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("created_by")
        .order_by("-created_at")
    )


@transaction.atomic
def accept(token: str, user: User) -> tuple[Invitation, Membership, bool]:
    """(invitation, membership, created): the user joins with the invitation's role; a member
    already keeps their role. Used up either way."""
    invitation = find(token)
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk, accepted_at=None).first()
    if invitation is None:
        raise InvitationRefused("This invitation is not valid: it has expired, was revoked or was already used.")
    membership, created = Membership.objects.get_or_create(
        user=user, partner=invitation.partner, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        invitation.partner,
        user,
        "invitation.accepted",
        {
            "email": invitation.email,
            "username": user.username,
            "role": membership.role,
            "invitation": invitation.pk,
            "was_member": not created,
        },
    )
    return invitation, membership, created


@transaction.atomic
def create_account_and_accept(token: str, password: str) -> tuple[User, Membership]:
    """A new account named after the invitation's address, then accept. InvitationRefused
    when the invitation is not valid or an account of that name exists (log in instead)."""
    invitation = find(token)
    if invitation is None:
        raise InvitationRefused("This invitation is not valid: it has expired, was revoked or was already used.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(invitation.email, invitation.email, password)
    except IntegrityError:
        raise InvitationRefused("An account with this email address already exists: log in to accept.") from None
    _invitation, membership, _created = accept(token, user)
    return user, membership


@transaction.atomic
def revoke(invitation: Invitation, by: Actor) -> None:
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated:
        _audit(invitation.partner, by, "invitation.revoked", {"email": invitation.email, "invitation": invitation.pk})


def _audit(partner: Partner, by: Actor, action: str, params: dict[str, object]) -> None:
    partner_changed.send(sender=Partner, partner=partner, user=by, action=action, params=params)
