"""The throttle per user name across every address (partners/login_throttle.py), behind a
proxy (BEHIND_PROXY=1, PROXY_COUNT=1): an attacker who sends each guess from another address
never reaches axes's limit per (user name, address), but reaches this one. The name is then
locked, the right password included, with the same words whether the name exists or not."""

import time

import pytest
from django.urls import reverse

from . import test_login_behind_proxy as proxy
from .test_login_behind_proxy import log_in, through_proxy

behind_one_proxy = proxy.behind_one_proxy  # the fixture: BEHIND_PROXY=1, PROXY_COUNT=1
pytestmark = pytest.mark.usefixtures("behind_one_proxy")

LOCKED = "Too many failed logins for this user name, from any address."


def spray(username, count, first=0):
    """`count` wrong passwords for `username`, each from another client address."""
    return [
        log_in(through_proxy(f"198.51.{100 + (i // 250)}.{1 + i % 250}"), username, f"guess {i}")
        for i in range(first, first + count)
    ]


def test_it_refuses_the_right_password_after_sixty_guesses_from_sixty_addresses(alice, settings):
    answers = spray("alice", 60)
    assert all(response.status_code == 200 for response in answers)  # a form, never axes's 429: one guess per address
    assert LOCKED not in answers[settings.LOGIN_USERNAME_FAILURE_LIMIT - 1].content.decode()
    assert LOCKED in answers[settings.LOGIN_USERNAME_FAILURE_LIMIT].content.decode()
    response = log_in(through_proxy("192.0.2.200"), "alice", "correct horse 42")
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    assert LOCKED in response.content.decode() and "paused for 1 minute" in response.content.decode()


def test_it_says_the_same_for_a_user_name_that_does_not_exist(alice, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 5
    existing, missing = spray("alice", 6), spray("nobody-here", 6)
    assert LOCKED in existing[-1].content.decode() and LOCKED in missing[-1].content.decode()
    assert message_of(existing[-1]) == message_of(missing[-1])


def message_of(response):
    page = response.content.decode()
    return page[page.index(LOCKED) :].split("<", 1)[0]


def test_it_locks_longer_after_each_failure_once_the_lock_ends(alice, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    settings.LOGIN_USERNAME_LOCK_SECONDS = 1
    spray("alice", 3)  # the third failure locks for 1 s
    assert LOCKED in log_in(through_proxy("192.0.2.1"), "alice", "correct horse 42").content.decode()
    time.sleep(1.2)
    spray("alice", 1, first=10)  # the fourth failure locks for 2 s
    time.sleep(1.2)
    assert LOCKED in log_in(through_proxy("192.0.2.1"), "alice", "correct horse 42").content.decode()
    time.sleep(1.0)
    response = log_in(through_proxy("192.0.2.1"), "alice", "correct horse 42")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_it_leaves_other_user_names_alone(alice, olga, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    spray("alice", 3)
    assert log_in(through_proxy("198.51.100.1"), "olga", "correct horse 42").status_code == 302


def test_it_locks_the_admin_sites_login_too(sam, settings, client):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    spray("sam", 3)
    response = client.post("/admin/login/", {"username": "sam", "password": "correct horse 42"}, secure=True)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
