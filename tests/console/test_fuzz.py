"""Bad input never answers 5xx: random bytes in every parameter, field and header of every
URL of the console and of the alarm webhook, as anonymous, viewer, operator and admin.

Parameter names come from the code itself (every form's fields and every name a view reads
from the query string), so a new form or view is fuzzed the day it is added. Values mix
random bytes (sent percent-encoded, so invalid UTF-8 arrives as such) with the values that
broke views before: non-ASCII digits, huge numbers, long strings, NUL bytes."""

import importlib
import os
import pkgutil
import re
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
APPS = ["partners", "devices", "alarms", "firmware", "recordings", "audit", "core", "api"]
# Bounded in time for CI: each example is one request. FUZZ_EXAMPLES=5000 for a deeper run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def _our_form_fields() -> set[str]:
    for app in APPS:
        try:
            package = importlib.import_module(app)
        except ImportError:
            continue
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    names: set[str] = set()
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS:
            names.update(getattr(cls, "base_fields", {}))
    return names


def _names_views_read() -> set[str]:
    """Names read straight from request.GET / POST / headers in our code."""
    pattern = re.compile(r"""(?:GET|POST|headers)(?:\.get|\.getlist)?[(\[]\s*["']([\w-]+)["']""")
    names: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names.update(pattern.findall(path.read_text()))
    return names


PARAMS = sorted(_our_form_fields() | _names_views_read() | {"authcode", "key", "after", "page", "q", "sort"})
HEADERS = ["HX-Request", "HX-Target", "HX-Current-URL", "Authorization", "X-Forwarded-For", "Referer", "Accept"]

NASTY = [
    "²",
    "٣",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
    "x" * 5000,
    "\x00",
    "../../etc/passwd",
    "<script>",
    "%",
    "true",
    "Inc",
    "95270000ACME0001/x",
    "2026-13-45T99:99:99",
]


def _routes() -> list[tuple[str, list[str]]]:
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not route.startswith("admin/"):
                routes.append((route, re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "")
    return routes


def values():
    return st.one_of(
        st.sampled_from(NASTY).map(str.encode), st.binary(max_size=64), st.text(max_size=40).map(str.encode)
    )


def _encode(pairs: list[tuple[str, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs)


def _path(route: str, params: list[str], draw, known: dict[str, str]) -> str:
    path = route
    for param in params:
        value = draw(st.one_of(st.just(known.get(param, "1")), st.sampled_from(NASTY)))
        path = re.sub(rf"<(?:\w+:)?{param}>", quote_from_bytes(value.encode(), safe=""), path)
    return "/" + path


@pytest.fixture
def people(alice, olga, victor, acme_camera, bob):
    return {"anonymous": None, "viewer": victor, "operator": olga, "admin": alice}


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_never_answers_5xx(data, people, acme, acme_camera):
    routes = _routes()
    assert routes
    known = {"slug": acme.slug, "uid": acme_camera.uid, "membership_id": "1", "job_id": "1"}
    route, params = data.draw(st.sampled_from(routes), label="route")
    path = _path(route, params, data.draw, known)
    role = data.draw(st.sampled_from(sorted(people)), label="role")
    query = data.draw(st.lists(st.tuples(st.sampled_from(PARAMS), values()), max_size=4), label="query")
    body = data.draw(st.lists(st.tuples(st.sampled_from(PARAMS), values()), max_size=6), label="body")
    headers = data.draw(
        st.dictionaries(st.sampled_from(HEADERS), st.text(st.characters(max_codepoint=255), max_size=60), max_size=3),
        label="headers",
    )
    method = data.draw(st.sampled_from(["get", "post"]), label="method")

    client = Client(raise_request_exception=False)
    if people[role] is not None:
        client.force_login(people[role])
    url = f"{path}?{_encode(query)}"
    if method == "get":
        response = client.get(url, headers=headers)
    else:
        response = client.post(url, _encode(body), content_type="application/x-www-form-urlencoded", headers=headers)
    assert response.status_code < 500, f"{method.upper()} {url} as {role} -> {response.status_code}"


def test_it_knows_the_parameters_of_our_forms():
    # The fuzzer is only as good as its parameter names: it must see the real forms.
    assert {"q", "uid", "channel"} <= set(PARAMS)
