"""Walks every console URL (everything under /p/<slug>/) so that a new view is
covered the day it is added: another partner's objects answer 404, and a viewer's
change answers 403. A URL with a parameter this file does not know fails the walk
until the parameter is added to OBJECT_PARAMS."""

import datetime
import re

import pytest
from django.urls import URLResolver, get_resolver, reverse

from api.models import ApiToken
from devices.models import BulkAction
from firmware.models import FirmwareImage, Rollout
from jobs.models import Job
from partners.models import Invitation, Membership
from recordings.models import RecordingSearch

# How to find, for a partner, an object for each URL parameter.
OBJECT_PARAMS = {
    "membership_id": lambda partner, fx: Membership.objects.filter(partner=partner)[0].id,
    "uid": lambda partner, fx: fx["camera"][partner.slug].uid,
    "job_id": lambda partner, fx: (
        Job.objects.get_or_create(partner=partner, kind="bulk", action=BulkAction.REFRESH)[0].id
    ),
    "image_id": lambda partner, fx: FirmwareImage.objects.get_or_create(partner=partner, file_name="TENANCY.pak")[0].id,
    "rollout_id": lambda partner, fx: rollout_for(partner).id,
    "search_id": lambda partner, fx: search_for(partner).id,
    "invitation_id": lambda partner, fx: invitation_for(partner).id,
    "token_id": lambda partner, fx: (
        ApiToken.objects.get_or_create(partner=partner, prefix=f"t{partner.slug}", token_sha256="0" * 64)[0].id
    ),
}


def invitation_for(partner):
    """A pending invitation of the partner."""
    from django.contrib.auth.models import AnonymousUser

    from partners import invitations

    existing = Invitation.objects.filter(partner=partner, revoked_at=None).first()
    return existing or invitations.invite(partner, AnonymousUser(), f"tenancy@{partner.slug}.example", "viewer")[0]


def search_for(partner):
    """A finished recording search of the partner (over no device)."""
    existing = RecordingSearch.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    job = Job.objects.create(partner=partner, kind="recording_search", action="search", state="done")
    return RecordingSearch.objects.create(
        partner=partner, job=job, day=datetime.date(2026, 1, 1), start=datetime.time(0), end=datetime.time(23, 59, 59)
    )


def rollout_for(partner):
    """A finished rollout of the partner (of a tenancy image, over no device)."""
    existing = Rollout.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    image = FirmwareImage.objects.get_or_create(partner=partner, file_name="TENANCY.pak")[0]
    job = Job.objects.create(partner=partner, kind="rollout", action="upgrade", state="done")
    return Rollout.objects.create(partner=partner, job=job, image=image, name="Tenancy", waves=[1])


def console_routes():
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("p/<slug:slug>/") and pattern.name:
                routes.append((pattern.name, re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "")
    return routes


def kwargs_for(partner, params, fixtures, object_partner=None):
    values = {"slug": partner.slug}
    for param in params:
        if param == "slug":
            continue
        assert param in OBJECT_PARAMS, f"add the URL parameter {param!r} to OBJECT_PARAMS"
        values[param] = OBJECT_PARAMS[param](object_partner or partner, fixtures)
    return values


@pytest.fixture
def fixtures(acme_camera, bolt_camera, alice, bob, victor):
    return {"camera": {"acme": acme_camera, "bolt": bolt_camera}}


def test_it_finds_the_console_routes(db):
    names = {name for name, _ in console_routes()}
    assert {"overview", "audit", "partner_settings", "members"} <= names


def test_it_answers_404_for_other_partners_pages(client_of, alice, acme, bolt, fixtures):
    client = client_of(alice)
    for name, params in console_routes():
        url = reverse(name, kwargs=kwargs_for(bolt, params, fixtures))
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{method.__name__.upper()} {url} -> {response.status_code}"
            assert b"Bolt" not in response.content


def test_it_answers_404_for_other_partners_objects_under_your_own_partner(client_of, alice, acme, bolt, fixtures):
    client = client_of(alice)
    for name, params in console_routes():
        if params == ["slug"]:
            continue  # nothing but the partner: covered above
        url = reverse(name, kwargs=kwargs_for(acme, params, fixtures, object_partner=bolt))
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{method.__name__.upper()} {url} -> {response.status_code}"


def test_it_forbids_viewers_every_change(client_of, victor, acme, fixtures):
    client = client_of(victor)
    for name, params in console_routes():
        url = reverse(name, kwargs=kwargs_for(acme, params, fixtures))
        response = client.post(url, {})
        # 405: the URL changes nothing (read-only); anything else would be a change let through.
        assert response.status_code in (403, 405), f"POST {url} as viewer -> {response.status_code}"


def test_it_lets_a_superuser_open_any_partner(client_of, sam, bolt, fixtures):
    client = client_of(sam)
    assert client.get(reverse("overview", kwargs={"slug": "bolt"})).status_code == 200
    assert client.get(reverse("partner_settings", kwargs={"slug": "bolt"})).status_code == 200
    device = reverse("device_detail", kwargs={"slug": "bolt", "uid": fixtures["camera"]["bolt"].uid})
    assert client.get(device).status_code == 200


def test_it_opens_no_partners_page_to_staff_without_a_membership(client_of, stella, acme, fixtures):
    """is_staff opens /admin/ and nothing else: every partner URL, and the API, answer 404."""
    client = client_of(stella)
    for name, params in console_routes():
        url = reverse(name, kwargs=kwargs_for(acme, params, fixtures))
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{method.__name__.upper()} {url} -> {response.status_code}"
    assert client.get("/api/v1/partners/acme/devices/").status_code == 404
    assert client.get("/admin/").status_code == 200


def test_it_refuses_a_switch_to_a_partner_you_do_not_belong_to(client_of, alice, bolt):
    client = client_of(alice)
    response = client.post(reverse("switch_partner"), {"slug": "bolt"}, follow=True)
    assert b"You are not a member of that partner." in response.content
    assert client.session.get("partner_slug") != "bolt"
