"""Writing the audit log (audit.services) and what partners' services write to it."""

import pytest
from django.urls import reverse

from audit import services as audit
from audit.models import AuditEntry
from partners import services as partner_services
from partners.models import Membership, Role
from tests.conftest import make_user


def test_it_names_a_device_by_uid_and_finds_its_entries_again(acme, alice, acme_camera):
    entry = audit.record(acme, "device.rename", user=alice, target=acme_camera, params={"name": "Gate"})
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "devices.device",
        acme_camera.id,
        "95270000ACME0001",
    )
    assert list(AuditEntry.objects.about(acme_camera)) == [entry]


def test_it_keeps_the_uid_after_the_device_is_deleted(client_of, victor, acme, acme_camera):
    audit.record(acme, "device.rename", target=acme_camera)
    acme_camera.delete()
    response = client_of(victor).get(reverse("audit", kwargs={"slug": "acme"}) + "?device=95270000acme0001")
    assert [e.target_label for e in response.context["rows"]] == ["95270000ACME0001"]
    assert b"<code>95270000ACME0001</code>" in response.content


def test_it_takes_any_model_as_a_target(acme, alice, victor):
    membership = Membership.objects.get(user=victor, partner=acme)
    entry = audit.record(acme, "member.noted", user=alice, target=membership)
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "partners.membership",
        membership.id,
        str(membership),
    )


def test_it_records_an_anonymous_user_as_the_system(acme):
    from django.contrib.auth.models import AnonymousUser

    assert audit.record(acme, "partner.sync_requested", user=AnonymousUser()).user is None


def test_it_audits_membership_changes_with_who_and_what(acme, alice, victor):
    newbie = make_user("newbie")
    membership = partner_services.add_member(acme, alice, newbie, Role.OPERATOR)
    partner_services.change_role(membership, alice, Role.ADMIN)
    partner_services.remove_member(membership, alice)
    entries = AuditEntry.objects.filter(partner=acme).order_by("id")
    assert [(e.action, e.user, e.params) for e in entries] == [
        ("member.added", alice, {"username": "newbie", "role": "operator"}),
        ("member.role_changed", alice, {"username": "newbie", "role": "admin"}),
        ("member.removed", alice, {"username": "newbie"}),
    ]


@pytest.mark.parametrize(
    "change", [lambda m, by: partner_services.change_role(m, by, Role.VIEWER), partner_services.remove_member]
)
def test_it_refuses_an_admin_changing_their_own_membership_and_writes_nothing(acme, alice, change):
    own = Membership.objects.get(user=alice, partner=acme)
    with pytest.raises(partner_services.MembershipRefused):
        change(own, alice)
    assert Membership.objects.get(id=own.id).role == Role.ADMIN
    assert not AuditEntry.objects.exists()


def test_it_audits_rotating_the_webhook_secret_without_the_secret(acme, alice):
    old = acme.webhook_secret
    partner_services.rotate_webhook_secret(acme, alice)
    acme.refresh_from_db()
    entry = AuditEntry.objects.get(action="partner.webhook_secret_rotated")
    assert acme.webhook_secret != old and entry.user == alice
    assert old not in str(entry.params) and acme.webhook_secret not in str(entry.params)
