"""Invitations (partners/invitations.py): an admin adds a member by email without learning
whether an account exists; the accept link works once, for 7 days, until revoked."""

import re
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from partners.models import Invitation, Membership, Role
from tests.conftest import make_user


def members_url(slug="acme"):
    return reverse("members", kwargs={"slug": slug})


def invite(client, email, role="operator"):
    """(response, accept link) of inviting `email` on Acme's members page."""
    response = client.post(members_url(), {"email": email, "role": role})
    match = re.search(r'value="(http://testserver/invitations/[^"]+/)"', response.content.decode())
    return response, match.group(1) if match else None


def answer_without_link(response, email):
    """The admin's answer with what differs from one invitation to the next taken out."""
    content = response.content.decode()
    content = re.sub(r"/invitations/[^\"/]+/", "/invitations/TOKEN/", content)
    content = re.sub(r"/members/invitations/\d+/", "/members/invitations/ID/", content)
    content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)
    content = re.sub(r'nonce="[^"]+"', "", content)
    content = re.sub(r'"X-CSRFToken": "[^"]+"', "", content)
    content = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "DATE", content)
    return content.replace(email, "EMAIL")


def test_it_gives_the_same_answer_for_an_existing_and_an_unknown_email(client_of, alice, acme):
    make_user("newbie")  # newbie@example.com exists
    client = client_of(alice)
    known, known_link = invite(client, "newbie@example.com")
    Invitation.objects.all().update(revoked_at=timezone.now())  # the pending list would differ by one row
    unknown, unknown_link = invite(client, "ghost@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known_link and unknown_link
    assert answer_without_link(known, "newbie@example.com") == answer_without_link(unknown, "ghost@example.com")
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["newbie@example.com"]
    assert known_link in mail.outbox[0].body
    assert not Membership.objects.filter(partner=acme, user__username="newbie").exists()  # until accepted
    actions = list(AuditEntry.objects.filter(partner=acme).values_list("action", flat=True))
    assert actions.count("invitation.created") == 2


def test_it_keeps_only_a_hash_of_the_token(client_of, alice, acme):
    _response, link = invite(client_of(alice), "ghost@example.com")
    token = link.rstrip("/").rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_sha256 FROM partners_invitation")
        (stored,) = cursor.fetchone()
    assert token not in stored and len(stored) == 64


def test_it_lets_an_existing_user_log_in_and_accept(client_of, alice, acme):
    newbie = make_user("newbie")
    _response, link = invite(client_of(alice), "newbie@example.com", role="operator")
    guest = Client()
    page = guest.get(link)
    assert b"Log in to accept" in page.content and b"Acme Security" in page.content
    response = guest.post(reverse("login"), {"username": "newbie", "password": "correct horse 42", "next": link})
    assert response["Location"] == link
    response = guest.post(link)
    assert response["Location"] == reverse("overview", kwargs={"slug": "acme"})
    assert Membership.objects.get(partner=acme, user=newbie).role == Role.OPERATOR
    entry = AuditEntry.objects.get(partner=acme, action="invitation.accepted")
    assert entry.params["username"] == "newbie" and entry.user == newbie
    # Used up: the link works once.
    assert guest.get(link).status_code == 404


def test_it_creates_an_account_with_the_invited_address_and_accepts(client_of, alice, acme):
    _response, link = invite(client_of(alice), "New.Person@Example.com", role="viewer")
    guest = Client()
    response = guest.post(link, {"password1": "short", "password2": "short"})
    assert response.status_code == 200 and b"too short" in response.content
    response = guest.post(link, {"password1": "a long passphrase 9", "password2": "a long passphrase 9"})
    assert response.status_code == 302
    membership = Membership.objects.get(partner=acme, user__username="new.person@example.com")
    assert membership.role == Role.VIEWER
    assert guest.get(reverse("overview", kwargs={"slug": "acme"})).status_code == 200


def test_it_keeps_a_members_role_when_they_accept_again(client_of, alice, victor, acme):
    _response, link = invite(client_of(alice), "victor@example.com", role="admin")
    guest = client_of(victor)
    guest.post(link)
    assert Membership.objects.get(partner=acme, user=victor).role == Role.VIEWER


def test_it_refuses_an_expired_token(client_of, alice, acme):
    newbie = make_user("newbie")
    _response, link = invite(client_of(alice), "newbie@example.com")
    invitation = Invitation.objects.get()
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    guest = Client()
    guest.force_login(newbie)
    assert guest.get(link).status_code == 404
    assert guest.post(link).status_code == 404
    assert not Membership.objects.filter(partner=acme, user__username="newbie").exists()


def test_it_refuses_a_revoked_token_and_audits_the_revocation(client_of, alice, acme):
    newbie = make_user("newbie")
    client = client_of(alice)
    _response, link = invite(client, "newbie@example.com")
    invitation = Invitation.objects.get()
    page = client.get(members_url()).content.decode()
    assert "newbie@example.com" in page and "Revoke" in page
    response = client.post(reverse("invitation_revoke", kwargs={"slug": "acme", "invitation_id": invitation.id}))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(partner=acme, action="invitation.revoked").exists()
    guest = Client()
    guest.force_login(newbie)
    assert guest.post(link).status_code == 404
    assert b"not valid" in guest.get(link).content
    assert not Membership.objects.filter(partner=acme, user=newbie).exists()
    assert guest.get("/invitations/not-a-token/").status_code == 404
    assert guest.get("/invitations/" + "x" * 300 + "/").status_code == 404


def test_it_lets_no_admin_of_another_partner_see_or_revoke_an_invitation(client_of, alice, bob, acme, bolt):
    _response, _link = invite(client_of(alice), "ghost@example.com")
    invitation = Invitation.objects.get()
    client = client_of(bob)
    assert b"ghost@example.com" not in client.get(members_url("bolt")).content
    assert client.get(members_url("acme")).status_code == 404
    for slug in ("acme", "bolt"):
        url = reverse("invitation_revoke", kwargs={"slug": slug, "invitation_id": invitation.id})
        assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_forbids_operators_to_invite_or_revoke(client_of, alice, olga, acme):
    invite(client_of(alice), "ghost@example.com")
    invitation = Invitation.objects.get()
    client = client_of(olga)
    assert client.post(members_url(), {"email": "x@example.com", "role": "admin"}).status_code == 403
    url = reverse("invitation_revoke", kwargs={"slug": "acme", "invitation_id": invitation.id})
    assert client.post(url).status_code == 403
    assert Invitation.objects.count() == 1


def test_it_shows_a_form_error_for_a_bad_address(client_of, alice, acme):
    for bad in ("not an address", "", "a@" + "b" * 200 + ".example", "\x00@example.com"):
        response = client_of(alice).post(members_url(), {"email": bad, "role": "viewer"})
        assert response.status_code == 200
        assert b"field-error" in response.content
    assert not Invitation.objects.exists()


def test_it_requires_a_csrf_token_to_invite_revoke_and_accept(alice, acme):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(members_url(), {"email": "ghost@example.com", "role": "viewer"}).status_code == 403
    from partners import invitations

    invitation, token = invitations.invite(acme, alice, "ghost@example.com", "viewer")
    url = reverse("invitation_revoke", kwargs={"slug": "acme", "invitation_id": invitation.id})
    assert strict.post(url).status_code == 403
    newbie = make_user("newbie")
    strict.force_login(newbie)
    assert strict.post(reverse("invitation", kwargs={"token": token})).status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    data = {"password1": "a long passphrase 9", "password2": "a long passphrase 9"}
    assert anonymous.post(reverse("invitation", kwargs={"token": token}), data).status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.revoked_at is None
