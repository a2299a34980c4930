"""Two-factor authentication for console users: an authenticator app (TOTP) and one-time
recovery codes, on django-otp.

Logging in (partners/views/two_factor.py): a right password for a user with a confirmed
device does not log in; it leaves a *pending* login in the session (user, backend, when) and
the code step asks for a code from the app or a recovery code. Only a right code logs the
user in (django.contrib.auth.login) and marks the session verified (django_otp.login), so no
page opens on a password alone. Wrong codes count as failed logins of the user name in the
throttle across addresses (partners/login_throttle.py), and a locked name's codes are not
checked. TwoFactorMiddleware logs out any session of a user with a confirmed device that is
not verified (a login through another door, such as the admin site's form).

The TOTP secret is stored encrypted (TotpDevice.key, an EncryptedTextField); recovery codes
as SHA-256 only. Enrolment: start_enrolment (an unconfirmed device with a new secret), then
confirm_enrolment with a code from the app, which returns the recovery codes to show once.
Turning it off needs a current code (disable)."""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP

from .login_throttle import record_failure, seconds_locked
from .models import RecoveryCode, TotpDevice

STEP_SECONDS = 30
DIGITS = 6
# Codes of the step before and after the current one are accepted too (clock skew).
TOLERANCE_STEPS = 1
RECOVERY_CODES = 10
# How long the code step waits for a code after the right password.
PENDING_SECONDS = 300
PENDING_KEY = "two_factor_pending"


def _key_bytes(device: TotpDevice) -> bytes:
    return base64.b32decode(device.key)


def has_two_factor(user: User | AnonymousUser | AbstractBaseUser) -> bool:
    pk = user.pk
    if pk is None:
        return False
    return TotpDevice.objects.filter(user_id=pk, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    """The session passed a code (OTPMiddleware installs user.is_verified())."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def issuer() -> str:
    return str(settings.TWO_FACTOR_ISSUER).replace(":", "")


def otpauth_uri(device: TotpDevice) -> str:
    """What an authenticator app takes (as a link or a QR code): the secret, in base32."""
    label = f"{issuer()}:{device.user.get_username()}"
    params = urlencode({"secret": device.key, "issuer": issuer(), "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{quote(label)}?{params}"


def grouped_secret(device: TotpDevice) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(device.key[i : i + 4] for i in range(0, len(device.key), 4))


def current_code(device: TotpDevice, at: float | None = None) -> str:
    """The code the app shows now (tests; never shown by the console)."""
    totp = TOTP(_key_bytes(device), step=STEP_SECONDS, digits=DIGITS)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{DIGITS}d}"


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


@transaction.atomic
def verify_totp(user: User | AbstractBaseUser, code: str, *, confirmed: bool = True) -> TotpDevice | None:
    """The user's device if `code` is its current code (within one step), not used before."""
    digits = _normalise(code)
    if not (digits.isdigit() and len(digits) == DIGITS):
        return None
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=confirmed).first()
    if device is None or not device.key:  # an unreadable key (lost encryption key) matches nothing
        return None
    totp = TOTP(_key_bytes(device), step=STEP_SECONDS, digits=DIGITS)
    if not totp.verify(int(digits), tolerance=TOLERANCE_STEPS, min_t=device.last_t + 1):
        return None
    device.last_t = totp.t()
    device.save(update_fields=["last_t"])
    return device


@transaction.atomic
def use_recovery_code(user: User | AbstractBaseUser, code: str) -> TotpDevice | None:
    """The user's device if `code` is one of their recovery codes, which is then used up."""
    if not _normalise(code):
        return None
    deleted, _ = RecoveryCode.objects.filter(user_id=user.pk, code_sha256=_recovery_hash(code)).delete()
    if not deleted:
        return None
    return TotpDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def verify_code(user: User | AbstractBaseUser, code: str) -> TotpDevice | None:
    """A code from the app, else a recovery code (used up)."""
    return verify_totp(user, code) or use_recovery_code(user, code)


def start_enrolment(user: User) -> TotpDevice:
    """The user's device: an unconfirmed one with a new secret if there is none yet
    (reloading the page keeps the secret already typed into an app)."""
    device, _ = TotpDevice.objects.get_or_create(
        user=user,
        defaults={"name": "Authenticator app", "confirmed": False, "key": _new_secret()},
    )
    return device


def restart_enrolment(user: User) -> None:
    TotpDevice.objects.filter(user=user, confirmed=False).delete()


def _new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> tuple[TotpDevice, list[str]] | None:
    """Confirm the unconfirmed device with a code from the app: (device, recovery codes to
    show once), or None for a wrong code."""
    device = verify_totp(user, code, confirmed=False)
    if device is None:
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the codes are returned once and only hashed kept."""
    codes = [_format_recovery(secrets.token_hex(5)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_sha256=_recovery_hash(c)) for c in codes])
    return codes


def _format_recovery(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user).count()


@transaction.atomic
def disable(user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


# The pending login between the password and the code.


@dataclass(frozen=True)
class Pending:
    user: User
    backend: str
    redirect_to: str


def start_pending(request: HttpRequest, user: User, redirect_to: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "redirect_to": redirect_to,
        "at": time.time(),
    }


def pending(request: HttpRequest) -> Pending | None:
    """The login waiting for its code, if it has not expired (and its user may still log in)."""
    data: Any = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        at = float(data["at"])
        user = User.objects.filter(pk=int(data["user_id"]), is_active=True).first()
        backend, redirect_to = str(data["backend"]), str(data.get("redirect_to") or "")
    except (KeyError, TypeError, ValueError):
        user = None
    if user is None or time.time() - at > PENDING_SECONDS or backend not in settings.AUTHENTICATION_BACKENDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return Pending(user, backend, redirect_to)


def end_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def check_code_for_login(request: HttpRequest, user: User, code: str) -> tuple[TotpDevice | None, int]:
    """(device, 0) for a right code; (None, seconds) while the user name is locked by the
    throttle (no code checked); (None, 0) for a wrong code, counted as a failed login."""
    wait = seconds_locked(user.get_username())
    if wait:
        return None, wait
    device = verify_code(user, code)
    if device is None:
        record_failure(user.get_username())
    return device, 0
