"""An API token speaks for the person who made it: it stops working when they leave the
partner or are deactivated (revoked then, audited, and checked again on every call), and the
API page shows who made each token and whether it still works."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from api.models import ApiToken, RevokedReason
from api.tokens import create_token
from audit.models import AuditEntry
from partners.models import Membership, Role

AUDIT = "/api/v1/partners/acme/audit/"


def bearer(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


def refused(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["symbol"] == "bad_token" and error["message"]
    return True


def olga_as_admin_with_a_token(acme, olga):
    Membership.objects.filter(user=olga, partner=acme).update(role=Role.ADMIN)
    return create_token(acme, olga, "Olga's export")[1]


def test_it_refuses_the_token_of_an_admin_removed_from_the_partner(client_of, alice, olga, acme):
    token = olga_as_admin_with_a_token(acme, olga)
    assert bearer(token).get(AUDIT).status_code == 200
    membership = Membership.objects.get(user=olga, partner=acme)
    client_of(alice).post(reverse("member_remove", kwargs={"slug": "acme", "membership_id": membership.id}))
    assert refused(bearer(token).get(AUDIT))
    row = ApiToken.objects.get(created_by=olga)
    assert row.revoked_at is not None and row.revoked_reason == RevokedReason.MAKER_LEFT
    entry = AuditEntry.objects.get(action="api_token.revoke", target_id=row.id)
    assert entry.params["maker"] == "olga" and entry.params["reason"] == "maker_left"
    assert AuditEntry.objects.filter(action="member.removed", user=alice).exists()


def test_it_refuses_the_token_of_a_deactivated_admin(acme, alice):
    token = create_token(acme, alice, "Alice's export")[1]
    alice.is_active = False
    alice.save()
    assert refused(bearer(token).get(AUDIT))
    row = ApiToken.objects.get(created_by=alice)
    assert row.revoked_reason == RevokedReason.MAKER_DEACTIVATED
    assert AuditEntry.objects.filter(action="api_token.revoke", target_id=row.id, params__maker="alice").exists()


def test_it_refuses_a_token_whose_maker_was_deactivated_without_any_signal(acme, alice):
    """A queryset update sends no model signal: the check on every call still holds."""
    token = create_token(acme, alice, "Alice's export")[1]
    get_user_model().objects.filter(id=alice.id).update(is_active=False)
    assert refused(bearer(token).get(AUDIT))
    assert ApiToken.objects.get(created_by=alice).revoked_at is None  # refused, not revoked


def test_it_revokes_the_tokens_of_a_deleted_user_before_they_lose_their_maker(acme, olga):
    token = olga_as_admin_with_a_token(acme, olga)
    olga.delete()
    row = ApiToken.objects.get(partner=acme)
    assert row.created_by is None and row.revoked_reason == RevokedReason.MAKER_DELETED
    assert refused(bearer(token).get(AUDIT))


def test_it_keeps_a_token_with_no_maker_on_record_working(acme, alice):
    token = create_token(acme, alice, "Before makers")[1]
    ApiToken.objects.update(created_by=None)  # as tokens made before makers were recorded
    assert bearer(token).get(AUDIT).status_code == 200


def test_it_keeps_a_superusers_token_working_without_a_membership(acme, sam):
    token = create_token(acme, sam, "Support export")[1]
    assert bearer(token).get(AUDIT).status_code == 200


def test_it_shows_each_tokens_maker_and_whether_it_works(client_of, alice, olga, acme):
    olga_as_admin_with_a_token(acme, olga)
    create_token(acme, alice, "Alice's export")
    create_token(acme, alice, "Before makers")
    ApiToken.objects.filter(name="Before makers").update(created_by=None)
    Membership.objects.filter(user=olga).delete()
    page = client_of(alice).get(reverse("api_page", kwargs={"slug": "acme"})).content.decode()
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Olga", "Alice", "Before makers")}
    assert "olga" in rows["Olga"] and "revoked: its maker left the partner" in rows["Olga"]
    assert "alice" in rows["Alice"] and ">active<" in rows["Alice"]
    assert "unknown" in rows["Before makers"] and ">active<" in rows["Before makers"]
