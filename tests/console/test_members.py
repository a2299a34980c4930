from django.urls import reverse

from partners.models import Membership, Role


def members_url():
    return reverse("members", kwargs={"slug": "acme"})


def test_it_changes_a_role(client_of, alice, victor, acme):
    membership = Membership.objects.get(user=victor, partner=acme)
    url = reverse("member_update", kwargs={"slug": "acme", "membership_id": membership.id})
    client_of(alice).post(url, {"role": "operator"})
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR


def test_it_refuses_a_bad_role(client_of, alice, victor, acme):
    membership = Membership.objects.get(user=victor, partner=acme)
    url = reverse("member_update", kwargs={"slug": "acme", "membership_id": membership.id})
    response = client_of(alice).post(url, {"role": "emperor"}, follow=True)
    assert b"Choose viewer, operator or admin." in response.content
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_it_stops_admins_demoting_or_removing_themselves(client_of, alice, acme):
    membership = Membership.objects.get(user=alice, partner=acme)
    client = client_of(alice)
    client.post(reverse("member_update", kwargs={"slug": "acme", "membership_id": membership.id}), {"role": "viewer"})
    client.post(reverse("member_remove", kwargs={"slug": "acme", "membership_id": membership.id}))
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_it_removes_a_member(client_of, alice, victor, acme):
    membership = Membership.objects.get(user=victor, partner=acme)
    client_of(alice).post(reverse("member_remove", kwargs={"slug": "acme", "membership_id": membership.id}))
    assert not Membership.objects.filter(id=membership.id).exists()


def test_it_forbids_operators(client_of, olga, acme):
    assert client_of(olga).get(members_url()).status_code == 403
