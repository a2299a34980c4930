"""The OpenAPI document against the API itself: schemathesis generates requests for every
operation from the document (filters, limits, cursors, formats) and calls the Django WSGI
app with a token; no answer may be a 5xx, and every answer must match the document
(status, content type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from tests.devices.fleet_rows import made_up_fleet

from .conftest import make_history

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def history(acme, alice):
    return make_history(acme, made_up_fleet(acme, 12, tag_every=3), alice)


@pytest.fixture
def api_schema(db, history):
    from rop_fleet.wsgi import application

    # The WSGI app closes the database connection after each request; the test's transaction
    # lives on it, so keep it open, as Django's own test client does.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# schemathesis's own pytest integration (lazy fixtures, subtests) does not run on pytest 9:
# each operation's strategy is driven by hypothesis here instead, which is what it does inside.
# Hundreds of requests from one token: the rate limit has its own tests (test_rate_limit.py).
@override_settings(API_TOKEN_RATE_PER_MINUTE=0)
def test_it_answers_generated_requests_as_the_document_says(api_schema, acme_token, history):
    headers = {"Authorization": f"Bearer {acme_token}"}
    known = {"slug": "acme", "job_id": history["job"].id, "rollout_id": history["rollout"].id}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 9
    seen: dict[str, set[int]] = {}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # The partner and objects that exist, so requests reach the filters rather than a 404.
            case.path_parameters = {name: known[name] for name in case.path_parameters or {}}
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    # Every operation answered data (not only errors) to some of the generated requests.
    assert all(200 in statuses for statuses in seen.values()), seen


def test_it_serves_the_document_to_anyone_with_every_endpoint(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/partners/{slug}/devices/" in paths
    assert len(paths) == 9
    devices = {p["name"]: p["schema"] for p in paths["/api/v1/partners/{slug}/devices/"]["get"]["parameters"]}
    # The device list's form is the one definition: its choices and limits are the document's.
    assert devices["online"]["enum"] == ["", "yes", "no"]
    assert devices["battery_below"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "after" not in devices and devices["limit"]["maximum"] == 1000
    assert not ApiToken.objects.exists()
