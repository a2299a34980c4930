"""Two-factor authentication (partners/two_factor.py, partners/views/accounts.py): TOTP after
the password, recovery codes, enrolment, turning it off, the throttle, and a partner's
requirement of it for its admins."""

import re
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from api import tokens as api_tokens
from audit.models import AuditEntry
from partners import two_factor
from partners.models import RecoveryCode, TotpDevice
from tests.conftest import make_user

PASSWORD = "correct horse 42"


def enrol(user):
    """(device, recovery codes): two-factor on for the user, its first code still unused."""
    device = two_factor.start_enrolment(user)
    confirmed = two_factor.confirm_enrolment(user, two_factor.current_code(device))
    assert confirmed is not None
    device, codes = confirmed
    TotpDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device, codes


def wrong_code(device):
    """A code the device does not show in this step or the ones around it."""
    now = time.time()
    shown = {two_factor.current_code(device, at=now + step * 30) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in shown)


def log_in(client, username, password=PASSWORD, next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def verified_client(user, device):
    """A client logged in as the user with the session verified, as after the code step."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def overview(slug="acme"):
    return reverse("overview", kwargs={"slug": slug})


def test_it_asks_for_a_code_after_the_right_password_and_logs_in_with_the_right_one(client, alice):
    device, _codes = enrol(alice)
    response = log_in(client, "alice", next_url=overview())
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert client.get(overview()).status_code == 302  # not logged in by the password alone
    response = client.post(reverse("login_code"), {"code": two_factor.current_code(device)})
    assert response.status_code == 302 and response["Location"] == overview()
    assert client.get(overview()).status_code == 200


def test_it_shows_a_form_error_for_a_wrong_code_and_stays_logged_out(client, alice):
    device, _codes = enrol(alice)
    log_in(client, "alice")
    response = client.post(reverse("login_code"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert b"That code is not right." in response.content
    assert b'aria-invalid="true"' in response.content
    assert client.get(overview()).status_code == 302
    # Odd input is a form error too, never a 500.
    for odd in ("", "x" * 40, "\x00", "12 34 56 78"):
        assert client.post(reverse("login_code"), {"code": odd}).status_code == 200


def test_it_refuses_a_code_already_used(client, alice):
    device, _codes = enrol(alice)
    code = two_factor.current_code(device)
    log_in(client, "alice")
    client.post(reverse("login_code"), {"code": code})
    other = Client()
    log_in(other, "alice")
    response = other.post(reverse("login_code"), {"code": code})
    assert b"That code is not right." in response.content


def test_it_accepts_a_recovery_code_once(client, alice):
    _device, codes = enrol(alice)
    log_in(client, "alice")
    response = client.post(reverse("login_code"), {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(overview()).status_code == 200
    assert RecoveryCode.objects.filter(user=alice).count() == len(codes) - 1

    other = Client()
    log_in(other, "alice")
    response = other.post(reverse("login_code"), {"code": codes[0]})
    assert b"That code is not right." in response.content
    assert other.get(overview()).status_code == 302


def test_it_throttles_the_code_step_like_the_password(client, alice, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    device, _codes = enrol(alice)
    log_in(client, "alice")
    wrong = wrong_code(device)
    for _ in range(3):
        client.post(reverse("login_code"), {"code": wrong})
    response = client.post(reverse("login_code"), {"code": two_factor.current_code(device)})
    assert b"Too many failed logins for this user name" in response.content
    assert client.get(overview()).status_code == 302
    # The right code was not checked, so not used up: it works once the lock ends.
    assert TotpDevice.objects.get(pk=device.pk).last_t == -1


def test_it_forgets_a_pending_login_after_five_minutes(client, alice, monkeypatch):
    device, _codes = enrol(alice)
    log_in(client, "alice")
    later = time.time() + two_factor.PENDING_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(reverse("login_code"), {"code": two_factor.current_code(device, at=later)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(overview()).status_code == 302


def test_it_logs_out_a_session_that_skipped_the_code(client, alice):
    """A password-only session (force_login here; the admin site's login form in real life)
    of a user with two-factor authentication opens nothing."""
    enrol(alice)
    client.force_login(alice)
    response = client.get(overview())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_it_enrols_with_a_confirming_code_and_shows_recovery_codes_once(client_of, alice):
    client = client_of(alice)
    page = client.get(reverse("two_factor_enrol")).content.decode()
    assert "otpauth://totp/ROP%20Fleet%3Aalice?secret=" in page
    device = TotpDevice.objects.get(user=alice, confirmed=False)
    assert device.key[:4] in page  # the key as text, for typing by hand
    assert client.get(reverse("two_factor_enrol")).content.decode().count(device.key[:4]) >= 1  # same key on reload

    response = client.post(reverse("two_factor_enrol"), {"code": wrong_code(device)})
    assert b"That code is not right" in response.content
    assert not TotpDevice.objects.get(pk=device.pk).confirmed

    response = client.post(reverse("two_factor_enrol"), {"code": two_factor.current_code(device)})
    assert response.status_code == 200
    assert TotpDevice.objects.get(pk=device.pk).confirmed
    content = response.content.decode()
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", content)
    assert len(codes) == two_factor.RECOVERY_CODES
    # The session that enrolled stays in; the codes are never shown again.
    assert client.get(overview()).status_code == 200
    assert codes[0] not in client.get(reverse("two_factor")).content.decode()


def test_it_keeps_the_totp_secret_encrypted_and_recovery_codes_hashed(alice):
    device, codes = enrol(alice)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM partners_totpdevice WHERE id = %s", [device.pk])
        (stored_key,) = cursor.fetchone()
        cursor.execute("SELECT code_sha256 FROM partners_recoverycode WHERE user_id = %s", [alice.pk])
        stored_codes = {row[0] for row in cursor.fetchall()}
    assert device.key not in stored_key and stored_key.startswith("gAAAA")  # Fernet
    assert len(stored_codes) == len(codes)
    assert not any(code.replace("-", "") in stored for code in codes for stored in stored_codes)


def test_it_turns_two_factor_off_only_with_a_current_code(alice):
    device, _codes = enrol(alice)
    client = verified_client(alice, device)
    response = client.post(reverse("two_factor_disable"), {"code": "123"}, follow=True)
    assert b"That code is not right." in response.content
    assert TotpDevice.objects.filter(user=alice).exists()
    client.post(reverse("two_factor_disable"), {"code": two_factor.current_code(device)})
    assert not TotpDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    assert client.get(overview()).status_code == 200  # still logged in
    assert log_in(Client(), "alice")["Location"] == reverse("home")  # the password alone again


def test_it_gives_new_recovery_codes_for_a_current_code(alice):
    device, codes = enrol(alice)
    client = verified_client(alice, device)
    response = client.post(reverse("recovery_codes_renew"), {"code": two_factor.current_code(device)})
    assert response.status_code == 200 and b"<li><code>" in response.content
    assert two_factor.use_recovery_code(alice, codes[0]) is None  # the old ones stopped working


def require_two_factor(partner):
    partner.require_two_factor_for_admins = True
    partner.save(update_fields=["require_two_factor_for_admins"])


def test_it_sends_an_admin_of_a_partner_requiring_two_factor_to_enrol(client_of, alice, acme, bob, bolt):
    require_two_factor(acme)
    client = client_of(alice)
    for name in ("overview", "members", "partner_settings", "device_list"):
        response = client.get(reverse(name, kwargs={"slug": "acme"}))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("two_factor_enrol") + "?required=acme"
    assert b"requires two-factor authentication" in client.get(response["Location"]).content
    response = client.get(overview(), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("two_factor_enrol"))
    # Another partner's page still answers 404, never a hint that it requires anything.
    require_two_factor(bolt)
    assert client.get(overview("bolt")).status_code == 404
    # Once enrolled (and the session verified by the code), the pages open.
    client.post(reverse("two_factor_enrol"), {"code": two_factor.current_code(two_factor.start_enrolment(alice))})
    assert client.get(overview()).status_code == 200


def test_it_asks_it_of_admins_only(client_of, victor, olga, sam, acme):
    require_two_factor(acme)
    assert client_of(victor).get(overview()).status_code == 200
    assert client_of(olga).get(overview()).status_code == 200
    assert client_of(sam).get(overview()).status_code == 302  # a superuser is an admin here


def test_it_keeps_the_key_and_recovery_codes_out_of_caches(client_of, alice):
    client = client_of(alice)
    assert "no-store" in client.get(reverse("two_factor_enrol"))["Cache-Control"]
    device = TotpDevice.objects.get(user=alice)
    response = client.post(reverse("two_factor_enrol"), {"code": two_factor.current_code(device)})
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_the_api_tokens_of_an_admin_without_two_factor_working(client_of, alice, acme):
    """The decision (docs/security.md): tokens keep working, sessions do not."""
    _row, token = api_tokens.create_token(acme, alice, "nightly export")
    require_two_factor(acme)
    url = "/api/v1/partners/acme/devices/"
    assert Client().get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    response = client_of(alice).get(url)
    assert response.status_code == 403
    assert response.json()["error"]["symbol"] == "two_factor_required"


def test_it_lets_only_admins_set_the_requirement_and_audits_it(client_of, alice, olga, acme):
    url = reverse("partner_settings", kwargs={"slug": "acme"})
    assert client_of(olga).post(url, {"require_two_factor_for_admins": "on"}).status_code == 403
    client = client_of(alice)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data["require_two_factor_for_admins"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.require_two_factor_for_admins
    entry = AuditEntry.objects.filter(partner=acme, action="partner.settings").latest("id")
    assert entry.params["require_two_factor_for_admins"] is True


def test_it_requires_a_csrf_token_on_every_post(alice, acme):
    device, codes = enrol(alice)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    session = strict.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    for name in ("two_factor_enrol", "two_factor_restart", "two_factor_disable", "recovery_codes_renew"):
        assert strict.post(reverse(name), {"code": two_factor.current_code(device)}).status_code == 403, name
    assert TotpDevice.objects.filter(user=alice, confirmed=True).exists()
    # The code step, with a login pending.
    pending = Client(enforce_csrf_checks=True)
    log_in_page = pending.get(reverse("login"))
    token = log_in_page.cookies["csrftoken"].value
    pending.post(reverse("login"), {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert pending.post(reverse("login_code"), {"code": codes[0]}).status_code == 403
    assert RecoveryCode.objects.filter(user=alice).count() == len(codes)


def test_it_counts_a_user_without_two_factor_as_before(client, db):
    make_user("plain")
    assert log_in(client, "plain")["Location"] == reverse("home")
