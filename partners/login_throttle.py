"""A throttle per user name that does not depend on the client's address.

django-axes locks the pair (user name, address) after AXES_FAILURE_LIMIT failures, so one
person's typos lock only themselves. But an attacker who rotates addresses (or forges them
before a proxy is set up right) never reaches that limit at any one address. This counts
failed logins per user name across every address: after LOGIN_USERNAME_FAILURE_LIMIT of
them, the name is locked for LOGIN_USERNAME_LOCK_SECONDS, doubling with each failure after a
lock ends, up to LOGIN_USERNAME_LOCK_MAX_SECONDS. During a lock no password is checked for
that name, the right one included.

The trade-off (docs/security.md): anyone who guesses a user name can keep it locked by
failing now and then, so a user can be slowed down, but never logged in as. Every name is
counted alike, existing or not, so the lock tells nothing about which names exist.

Counts live in the cache (Redis in production, shared by every web process)."""

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# Failures are forgotten this long after the last one.
FAILURES_KEPT_SECONDS = 24 * 3600


def _keys(username: str) -> tuple[str, str]:
    who = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-user:{who}:failures", f"login-user:{who}:until"


def seconds_locked(username: str) -> int:
    """How long the name stays locked (0: not locked)."""
    until = cache.get(_keys(username)[1])
    return max(0, int(float(until) - time.time()) + 1) if until else 0


def record_failure(username: str) -> None:
    failures_key, until_key = _keys(username)
    if not cache.add(failures_key, 1, FAILURES_KEPT_SECONDS):
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # expired between add and incr
            cache.add(failures_key, 1, FAILURES_KEPT_SECONDS)
            failures = 1
        cache.touch(failures_key, FAILURES_KEPT_SECONDS)
    else:
        failures = 1
    beyond = failures - settings.LOGIN_USERNAME_FAILURE_LIMIT
    if beyond < 0:
        return
    lock = min(settings.LOGIN_USERNAME_LOCK_MAX_SECONDS, settings.LOGIN_USERNAME_LOCK_SECONDS * 2 ** min(beyond, 30))
    cache.set(until_key, time.time() + lock, lock)


class UsernameThrottleBackend:
    """Listed after axes's backend: refuses any login to a locked name before a password is
    checked. PermissionDenied stops Django's authenticate() there (no later backend runs).
    No get_user (so not BaseBackend): sessions are never this backend's, and force_login and
    the session middleware pass it by."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        if not username:
            return None
        wait = seconds_locked(username)
        if wait:
            if request is not None:
                request.login_wait_seconds = wait  # type: ignore[attr-defined]  # for the login form's message
            raise PermissionDenied
        return None


def count_failure(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """user_login_failed: a password was checked and refused. Attempts refused by a lock
    (this throttle's or axes's) tested no password and are not counted."""
    username = credentials.get("username")
    if not isinstance(username, str) or not username:
        return
    refused_by_a_lock = getattr(request, "login_wait_seconds", 0) or getattr(request, "axes_locked_out", False)
    if refused_by_a_lock:
        return
    record_failure(username)


def lock_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        f"Too many failed logins for this user name, from any address. Logins with it are paused "
        f"for {minutes} minute{'s' if minutes != 1 else ''}; try again then."
    )
