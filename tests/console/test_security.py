from django.test import Client
from django.urls import reverse


def test_it_sends_a_strict_content_security_policy(client_of, alice, acme):
    response = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"}))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_it_requires_a_csrf_token_for_changes(alice, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("rotate_webhook_secret", kwargs={"slug": "acme"}))
    assert response.status_code == 403
    old = acme.webhook_secret
    acme.refresh_from_db()
    assert acme.webhook_secret == old


def test_it_sets_the_csrf_token_once_on_the_body_for_htmx(client_of, alice, acme):
    content = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in content


def test_it_serves_htmx_and_css_from_our_static_files(client_of, alice, acme):
    content = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in content
    assert "https://" not in content.split("<body")[0]  # nothing from a CDN in <head>
