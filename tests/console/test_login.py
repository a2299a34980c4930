import pytest
from django.urls import reverse


def test_it_redirects_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_logs_in_and_lands_on_the_partner_overview(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse 42"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("overview", kwargs={"slug": "acme"})
    assert b"Acme Security" in response.content


def test_it_shows_an_error_for_a_wrong_password(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_it_locks_out_after_repeated_failures(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse 42"})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content


def test_it_logs_out_only_on_post(client_of, alice):
    client = client_of(alice)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out: back to login


def test_it_shows_users_without_a_partner_a_clear_page(client_of, db):
    from tests.conftest import make_user

    response = client_of(make_user("nobody")).get("/")
    assert b"No partner yet" in response.content


@pytest.mark.parametrize("path", ["/healthz"])
def test_it_answers_the_health_check_without_login(client, db, path):
    assert client.get(path).json() == {"status": "ok"}
