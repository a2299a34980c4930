"""A login guard shared by every process: a LanClient's own backoff lasts as long as the
client, but the console opens a short-lived client per page action, so an operator
retrying a wrong password would otherwise reach the device's lockout (five failures).
After GUARD_FAILURES refused logins to one device account within GUARD_SECONDS, the
console stops asking the device until the window ends or a login succeeds."""

import hashlib
from typing import Any

from django.core.cache import cache

from rop.lan import LanAuthFailed, LanClient, LanLocked

GUARD_FAILURES = 3
GUARD_SECONDS = 300


def _key(partner_id: int | None, host: str, port: int, username: str) -> str:
    # The partner is part of the key: two partners may use the same private address (each on
    # its own site), and one partner's wrong passwords must not make the console refuse the
    # other's camera.
    who = hashlib.sha256(f"{partner_id}:{host.lower()}:{port}:{username}".encode()).hexdigest()[:32]
    return f"lan-login-guard:{who}"


class GuardedLanClient(LanClient):
    def __init__(self, *args: Any, partner_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_key = _key(partner_id, self.host, self.port, self.username)

    def login(self) -> None:
        failures = int(cache.get(self._guard_key) or 0)
        if failures >= GUARD_FAILURES:
            raise LanAuthFailed(
                f"The device refused the user name or password {failures} times; the console waits "
                f"up to {GUARD_SECONDS // 60} minutes before trying again, so that the device does not lock itself.",
                retry_after=GUARD_SECONDS,
                command="Login",
            )
        try:
            super().login()
        except LanLocked:
            raise
        except LanAuthFailed as exc:
            # Only the device's own refusals count (the client's own backoff has no rspCode);
            # add() starts the window, incr() keeps its expiry.
            refused = exc.command == "Login" and exc.rsp_code is not None
            if refused and not cache.add(self._guard_key, 1, GUARD_SECONDS):
                cache.incr(self._guard_key)
            raise
        cache.delete(self._guard_key)
