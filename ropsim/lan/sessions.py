"""Login tokens and the bad-password lockout of one emulated device.

A real camera hands out short opaque tokens with a lease (3600 s), keeps a
small table of them (a full table answers rspCode -5 "max session"), forgets
them all when it reboots, and locks logins for a few minutes after a run of
bad passwords ("Illegal Login Lockout"). Time comes from an injectable clock
so tests can expire leases and lockouts without sleeping.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_LEASE_SECONDS = 3600
DEFAULT_MAX_SESSIONS = 20
DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCK_SECONDS = 300


@dataclass
class Session:
    token: str
    username: str
    expires_at: float


class SessionStore:
    """Tokens issued by Login, valid until their lease ends or Logout/Reboot."""

    def __init__(
        self,
        clock: Callable[[], float],
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
    ) -> None:
        self._clock = clock
        self.lease_seconds = lease_seconds
        self.max_sessions = max_sessions
        self._sessions: dict[str, Session] = {}

    def _purge(self) -> None:
        now = self._clock()
        for token in [t for t, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[token]

    def open(self, username: str) -> Session | None:
        """A new session, or None when the table is full (rspCode -5)."""
        self._purge()
        if len(self._sessions) >= self.max_sessions:
            return None
        # Real tokens look like "49982c56fcf48ce": 15 lowercase hex digits.
        token = secrets.token_hex(8)[:15]
        session = Session(token, username, self._clock() + self.lease_seconds)
        self._sessions[token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        self._purge()
        return self._sessions.get(token)

    def close(self, token: str | None) -> bool:
        return self._sessions.pop(token or "", None) is not None

    def clear(self) -> None:
        self._sessions.clear()

    def expire_all(self) -> None:
        """Test hook: make every lease run out now (the next call answers -6)."""
        now = self._clock()
        for session in self._sessions.values():
            session.expires_at = now

    def __len__(self) -> int:
        self._purge()
        return len(self._sessions)


class LoginGuard:
    """Counts consecutive bad logins; after ``max_failures`` locks for ``lock_seconds``.

    The lock covers the whole device (every user, every client), like the
    firmware's account lockout: while it lasts even the right password is
    refused, which is what makes a misconfigured poller so painful in real life.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        max_failures: int = DEFAULT_MAX_FAILURES,
        lock_seconds: int = DEFAULT_LOCK_SECONDS,
    ) -> None:
        self._clock = clock
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.failures = 0
        self.locked_until = 0.0

    def remaining(self) -> float:
        """Seconds left on the lock (0 when logins are allowed)."""
        left = self.locked_until - self._clock()
        if left <= 0 and self.locked_until:
            # The lock ran out: start counting afresh.
            self.locked_until = 0.0
            self.failures = 0
        return max(0.0, left)

    def failure(self) -> None:
        self.failures += 1
        if self.max_failures > 0 and self.failures >= self.max_failures:
            self.locked_until = self._clock() + self.lock_seconds

    def success(self) -> None:
        self.failures = 0
