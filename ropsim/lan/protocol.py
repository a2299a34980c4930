"""Reolink's JSON command envelope: response formatting and the rspCode table.

Real cameras answer ``/cgi-bin/api.cgi`` with ``Content-Type: text/html`` and
pretty-print their JSON with three-space indents and ``" : "`` separators.
Clients rely on both: reolink-aio refuses JSON that is not labelled text/html
and recognises auth failures by substrings such as ``"detail" : "please login
first"``, so the emulator reproduces the exact layout rather than compact JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

JSON_CONTENT_TYPE = "text/html"

# rspCode -> the short "detail" text the firmware puts next to it.
RSP_PARAM_ERROR = -4
RSP_MAX_SESSION = -5
RSP_LOGIN_FIRST = -6
RSP_LOGIN_FAILED = -7
RSP_NOT_SUPPORT = -9
RSP_INVALID_USER = -27

DETAILS: dict[int, str] = {
    RSP_PARAM_ERROR: "param error",
    RSP_MAX_SESSION: "max session",
    RSP_LOGIN_FIRST: "please login first",
    RSP_LOGIN_FAILED: "login failed",
    RSP_NOT_SUPPORT: "not support",
    RSP_INVALID_USER: "invalid user",
}

# Lockout uses the login-failure code with the sentence the firmware shows;
# reolink-aio (and the GEM driver) match on "Login has been locked".
LOCKED_DETAIL = "Login has been locked, please try again later!"


@dataclass
class CommandError(Exception):
    """A command failed: becomes ``{"cmd", "code": 1, "error": {...}}``."""

    rsp_code: int
    detail: str = ""
    extra: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.detail:
            self.detail = DETAILS.get(self.rsp_code, "error")

    def envelope(self, cmd: str) -> dict[str, Any]:
        error: dict[str, Any] = {"detail": self.detail, "rspCode": self.rsp_code}
        if self.extra:
            error.update(self.extra)
        return {"cmd": cmd, "code": 1, "error": error}


def ok(cmd: str, value: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A successful command; ``extra`` carries "initial"/"range" for action=1 reads."""
    answer: dict[str, Any] = {"cmd": cmd, "code": 0}
    if extra:
        answer.update(extra)
    answer["value"] = value
    return answer


def dumps(payload: Any) -> str:
    """Serialise like the firmware does (see module docstring)."""
    return json.dumps(payload, indent=3, separators=(",", " : "), ensure_ascii=False)


# Setting commands answer value {"rspCode": 200}; reolink-aio checks for it.
SET_OK: dict[str, Any] = {"rspCode": 200}
