"""A console user's own account: logging in with a second factor, enrolling an authenticator
app, recovery codes, turning two-factor authentication off, and accepting an invitation to a
partner. None of these is under /p/<slug>/: they are the user's, not a partner's."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from core.http import FORM_METHODS, READ_METHODS

from .. import invitations, two_factor
from ..forms import CodeForm, InvitationSignupForm, LoginForm
from ..login_throttle import lock_message
from ..session import remember_partner

log = logging.getLogger(__name__)

WRONG_CODE = "That code is not right. Type the 6 digits your app shows now, or one of your recovery codes."
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(DjangoLoginView):
    """Django's login; a user with two-factor authentication is not logged in by the password
    alone but sent on to the code step with the login pending (partners/two_factor.py)."""

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if two_factor.has_two_factor(user):
            two_factor.start_pending(self.request, user, self.get_redirect_url())
            return redirect("login_code")
        return super().form_valid(form)


@require_http_methods(FORM_METHODS)
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or a recovery code (used up)."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = two_factor.pending(request)
    if pending is None:
        messages.error(request, "Log in again: the code was not given within 5 minutes.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, wait = two_factor.check_code_for_login(request, pending.user, form.cleaned_data["code"])
        if device is not None:
            two_factor.end_pending(request)
            auth_login(request, pending.user, backend=pending.backend)
            otp_login(request, device)
            return redirect(_safe(request, pending.redirect_to))
        form.add_error("code", lock_message(wait) if wait else WRONG_CODE)
    return render(request, "registration/login_code.html", {"form": form, "username": pending.user.username})


def _safe(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else str(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(READ_METHODS)
def two_factor_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    enabled = two_factor.has_two_factor(user)
    if not enabled:
        return redirect("two_factor_enrol")
    context = {"codes_left": two_factor.recovery_codes_left(user), "form": CodeForm()}
    return render(request, "registration/two_factor.html", context)


@never_cache  # the key and the recovery codes: kept by no cache
@login_required
@require_http_methods(FORM_METHODS)
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret (as an otpauth:// link and as text) and confirm it with a code; the
    recovery codes are shown once, on the answer to that confirmation."""
    user = _user(request)
    if two_factor.has_two_factor(user):
        return redirect("two_factor")
    device = two_factor.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = two_factor.confirm_enrolment(user, form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            otp_login(request, device)
            log.info("two-factor authentication turned on for user %s", user.pk)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "enrolled": True})
        form.add_error("code", "That code is not right. Check the app's clock and type the code it shows now.")
    context = {
        "form": form,
        "required": "required" in request.GET,
        "otpauth_uri": two_factor.otpauth_uri(device),
        "secret": two_factor.grouped_secret(device),
        "issuer": two_factor.issuer(),
    }
    return render(request, "registration/two_factor_enrol.html", context)


@login_required
@require_POST
def two_factor_restart(request: HttpRequest) -> HttpResponse:
    """A new secret for an enrolment not confirmed yet."""
    two_factor.restart_enrolment(_user(request))
    return redirect("two_factor_enrol")


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off: needs a current code (or a recovery code)."""
    user = _user(request)
    form = CodeForm(request.POST)
    error = _check_code(request, user, form.cleaned_data["code"]) if form.is_valid() else "Type a code."
    if error is None:
        two_factor.disable(user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        log.info("two-factor authentication turned off for user %s", user.pk)
        messages.success(request, "Two-factor authentication is off.")
        return redirect("two_factor_enrol")
    messages.error(request, error)
    return redirect("two_factor")


@never_cache
@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working): needs a current code."""
    user = _user(request)
    form = CodeForm(request.POST)
    error = _check_code(request, user, form.cleaned_data["code"]) if form.is_valid() else "Type a code."
    if error is not None or not two_factor.has_two_factor(user):
        messages.error(request, error or "Two-factor authentication is off.")
        return redirect("two_factor")
    codes = two_factor.new_recovery_codes(user)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "enrolled": False})


def _check_code(request: HttpRequest, user: User, code: str) -> str | None:
    """None for a right code, else what to say; throttled as logins are."""
    device, wait = two_factor.check_code_for_login(request, user, code)
    if device is not None:
        return None
    return lock_message(wait) if wait else WRONG_CODE


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


@require_http_methods(FORM_METHODS)
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's accept link: log in (or create an account with the invited address)
    and accept. An unknown, expired, revoked or used link gets the same answer."""
    found = invitations.find(token)
    if found is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                _invitation, membership, created = invitations.accept(token, _user(request))
            except invitations.InvitationRefused as exc:
                messages.error(request, str(exc))
                return redirect("home")
            return _joined(request, membership.partner.slug, membership.partner.name, membership.role, created)
    else:
        form = InvitationSignupForm(request.POST or None, email=found.email)
        if request.method == "POST" and form.is_valid():
            try:
                user, membership = invitations.create_account_and_accept(token, form.cleaned_data["password1"])
            except invitations.InvitationRefused as exc:
                form.add_error(None, str(exc))
            else:
                auth_login(request, user, backend=MODEL_BACKEND)
                return _joined(request, membership.partner.slug, membership.partner.name, membership.role, True)
    return render(request, "registration/invitation.html", {"invitation": found, "form": form})


def _joined(request: HttpRequest, slug: str, name: str, role: str, created: bool) -> HttpResponse:
    remember_partner(request, slug)
    if created:
        messages.success(request, f"You joined {name} as {role}.")
    else:
        messages.info(request, f"You were already a member of {name} ({role}); your role is unchanged.")
    return redirect("overview", slug=slug)
