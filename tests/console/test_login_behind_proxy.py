"""The login lockout behind a TLS-terminating proxy (BEHIND_PROXY=1, PROXY_COUNT=1).

Every request reaches Django from the proxy's own address (REMOTE_ADDR); the proxy appends
the address it saw to X-Forwarded-For. The lockout must key on the pair (username, client
address taken from that header), so one person's wrong passwords lock only themselves, at
their own address, and never everybody behind the proxy.

axes reads its settings when it is imported (axes.conf), so the proxy configuration is set
on those settings directly for each test rather than re-imported.
"""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user

PROXY = "10.0.0.2"  # every request arrives from the proxy
ALICE_HOME = "198.51.100.7"
ALICE_OFFICE = "198.51.100.8"
MALLORY = "203.0.113.66"


@pytest.fixture
def behind_one_proxy(settings):
    """The settings rop_fleet/settings.py derives from BEHIND_PROXY=1 and PROXY_COUNT=1."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_ORDER = "left-most"
    settings.IPWARE_STRICT = False


def through_proxy(client_address, forwarded_for=None):
    """A test client whose requests look like they came through the proxy: the proxy's
    REMOTE_ADDR, X-Forwarded-Proto https, and X-Forwarded-For with what the client sent
    (forwarded_for, possibly forged) followed by the client's real address."""
    chain = f"{forwarded_for}, {client_address}" if forwarded_for else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain, HTTP_X_FORWARDED_PROTO="https")


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, secure=True)


def fail_until_locked(client, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, username, "wrong password").status_code == 200
    assert log_in(client, username, "wrong password").status_code == 429  # the last failure locks
    response = log_in(client, username, "correct horse 42")
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content


def test_it_locks_only_the_user_at_the_address_that_failed(behind_one_proxy, alice, settings):
    bob = make_user("bobby")
    fail_until_locked(through_proxy(MALLORY), "alice", settings)

    # Alice from her own address still logs in, though every request came from the same proxy.
    response = log_in(through_proxy(ALICE_HOME), "alice", "correct horse 42")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # Another user at the very address that failed still logs in too.
    assert log_in(through_proxy(MALLORY), bob.username, "correct horse 42").status_code == 302


def test_it_never_lets_a_forged_forwarded_for_choose_the_address(behind_one_proxy, alice, settings):
    # Mallory writes Alice's address into her own X-Forwarded-For; the proxy appends Mallory's
    # real one, and that is the address locked.
    fail_until_locked(through_proxy(MALLORY, forwarded_for=ALICE_HOME), "alice", settings)
    assert log_in(through_proxy(ALICE_HOME), "alice", "correct horse 42").status_code == 302
    # A forged header that changes every time does not escape the lockout either.
    response = log_in(through_proxy(MALLORY, forwarded_for="192.0.2.99"), "alice", "correct horse 42")
    assert response.status_code == 429


def test_it_keeps_the_lockout_per_pair_across_addresses(behind_one_proxy, alice, settings):
    fail_until_locked(through_proxy(ALICE_HOME), "alice", settings)
    assert log_in(through_proxy(ALICE_HOME), "alice", "correct horse 42").status_code == 429
    assert log_in(through_proxy(ALICE_OFFICE), "alice", "correct horse 42").status_code == 302


def test_it_redirects_plain_http_but_not_what_the_proxy_says_is_https(behind_one_proxy, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    plain = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE_HOME, HTTP_X_FORWARDED_PROTO="http")
    assert plain.get(reverse("login")).status_code == 301
    assert through_proxy(ALICE_HOME).get(reverse("login")).status_code == 200


def test_it_ignores_a_forwarded_for_without_a_proxy(alice, settings):
    # PROXY_COUNT=0 (the default without BEHIND_PROXY): the header is the client's own words.
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    for forged in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"]:
        log_in(Client(REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=forged), "alice", "wrong password")
    response = log_in(Client(REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR="198.51.100.6"), "alice", "correct horse 42")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("environment", "ipware_count", "headers"),
    [
        ({}, None, ["REMOTE_ADDR"]),
        ({"BEHIND_PROXY": "1"}, 0, ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]),
        ({"BEHIND_PROXY": "1", "PROXY_COUNT": "2"}, 1, ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]),
        ({"BEHIND_PROXY": "1", "PROXY_COUNT": "0"}, None, ["REMOTE_ADDR"]),
    ],
)
def test_it_derives_the_address_settings_from_the_environment(environment, ipware_count, headers):
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.AXES_IPWARE_PROXY_COUNT, list(s.AXES_IPWARE_META_PRECEDENCE_ORDER),"
        " s.AXES_LOCKOUT_PARAMETERS]))"
    )
    out = settings_process(script, environment)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [ipware_count, headers, [["username", "ip_address"]]]


def test_it_refuses_a_negative_proxy_count():
    out = settings_process("from django.conf import settings; settings.PROXY_COUNT", {"PROXY_COUNT": "-1"})
    assert out.returncode != 0
    assert "PROXY_COUNT must be 0 or more" in out.stderr


def settings_process(script, environment):
    """Run `script` in a fresh interpreter whose settings come from this environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("BEHIND_PROXY", "PROXY_COUNT")}
    env.update(environment, DJANGO_SETTINGS_MODULE="rop_fleet.test_settings")
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
