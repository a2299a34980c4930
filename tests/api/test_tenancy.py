"""Walks every API endpoint (api.endpoints.ENDPOINTS, the list api/urls.py routes and the
OpenAPI document describes), in JSON and CSV: another partner's caller, by token or by
session, and another partner's objects answer 404; every change answers 405."""

import pytest
from django.test import Client
from django.urls import reverse

from api import urls as api_urls  # noqa: F401  (its import registers the endpoints)
from api.endpoints import ENDPOINTS
from devices.models import Device

from .conftest import make_history


@pytest.fixture
def histories(acme, bolt, alice, bob, acme_camera, bolt_camera):
    return {"acme": make_history(acme, [acme_camera], alice), "bolt": make_history(bolt, [bolt_camera], bob)}


def urls(slug, objects):
    ids = {"job_id": objects["job"].id, "rollout_id": objects["rollout"].id}
    for ep in ENDPOINTS:
        kwargs = {"slug": slug, **{name: value for name, value in ids.items() if f"<int:{name}>" in ep.path}}
        yield reverse(f"api_{ep.name}", kwargs=kwargs)
        yield reverse(f"api_{ep.name}_csv", kwargs=kwargs)


def test_it_walks_every_endpoint(histories):
    assert len(list(urls("acme", histories["acme"]))) == 2 * len(ENDPOINTS) >= 18


def test_it_answers_200_to_the_partners_own_token_everywhere(api, histories):
    for url in urls("acme", histories["acme"]):
        assert api.get(url).status_code == 200, url


def test_it_answers_404_to_another_partners_token_and_session(bolt_token, client_of, bob, histories):
    for caller in (Client(headers={"Authorization": f"Bearer {bolt_token}"}), client_of(bob)):
        for url in urls("acme", histories["acme"]):
            response = caller.get(url)
            assert response.status_code == 404, url
            assert response.json()["error"]["symbol"] == "not_found"


def test_it_answers_404_for_another_partners_objects_under_your_own_partner(api, histories):
    for url in urls("acme", histories["bolt"]):
        if "results" in url:
            assert api.get(url).status_code == 404, url


def test_it_answers_405_to_every_change_even_from_an_admin(api, client_of, alice, victor, histories):
    for caller in (api, client_of(alice), client_of(victor)):
        for url in urls("acme", histories["acme"]):
            for method in (caller.post, caller.put, caller.delete):
                assert method(url).status_code == 405, url
    assert Device.objects.count() == 2
