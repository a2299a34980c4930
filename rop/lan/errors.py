"""Exceptions raised by the LAN client (rop.lan).

Every failure is a :class:`LanError`; the subclasses are the cases a caller
acts on (ask for new credentials, wait for the lockout, hide a button the
model lacks, show "unreachable", ask the user to trust a new certificate).
``rsp_code`` and ``detail`` carry the device's own answer when there was one.
"""

from __future__ import annotations

import re

__all__ = [
    "scrub_tokens",
    "LanError",
    "LanUnreachable",
    "LanTimeout",
    "LanAuthFailed",
    "LanLocked",
    "LanNotSupported",
    "LanCommandError",
    "LanUnexpectedResponse",
    "CertificateChanged",
]


# A LAN API request carries its session token in the query string (`?cmd=GetMdState&token=…`),
# and requests' and aiohttp's errors quote the URL they failed on. The value ends at the next
# parameter, quote, bracket or space.
_URL_TOKEN = re.compile(r"(token=)[^&\s'\"<>()\[\]]+", re.IGNORECASE)


def scrub_tokens(text: str) -> str:
    """`text` with every `token=<value>` replaced by `token=…`: the one helper that keeps a LAN
    session token out of messages, audit entries, job results and log lines."""
    return _URL_TOKEN.sub(r"\1…", text)


class LanError(Exception):
    def __init__(self, message: str, *, command: str = "", rsp_code: int | None = None, detail: str = "") -> None:
        # Scrubbed here, where every LAN failure is built, so no caller can pass a token on
        # (the chained requests/aiohttp exception keeps it; logs scrub that: rop_fleet.log_filters).
        message = scrub_tokens(message)
        super().__init__(message)
        self.message = message
        self.command = command
        self.rsp_code = rsp_code
        self.detail = scrub_tokens(detail)


class LanUnreachable(LanError):
    """No answer: refused, reset, DNS failure, or the device dropped the connection."""


class LanTimeout(LanUnreachable):
    """The device did not answer within the client's timeout."""


class LanAuthFailed(LanError):
    """Wrong user name or password. ``retry_after`` is how long (seconds) the client
    refuses to try logging in again, so that it never runs into the device's lockout."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float = 0.0,
        command: str = "",
        rsp_code: int | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message, command=command, rsp_code=rsp_code, detail=detail)
        self.retry_after = retry_after


class LanLocked(LanAuthFailed):
    """The device locked its logins after too many failures; ``retry_after`` is the
    device's own ``unlock_time``."""


class LanNotSupported(LanError):
    """The model lacks the command (rspCode -9)."""


class LanCommandError(LanError):
    """The device refused the command for another reason (bad parameter, ...)."""


class LanUnexpectedResponse(LanError):
    """An answer that is not the LAN API's (not JSON, wrong shape, not a JPEG, too large)."""


class CertificateChanged(LanError):
    """The device's TLS certificate is not the pinned one: a reset camera, or someone
    else answering at its address. Only a person can decide to trust the new one."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(
            f"The camera's certificate changed: expected SHA-256 {expected}, got {actual}. "
            "Trust the new certificate only if the camera was reset or replaced."
        )
        self.expected = expected
        self.actual = actual
