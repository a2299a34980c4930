"""The LAN JSON API's envelopes, shared by the blocking client (client.py) and the
asyncio one (aio.py): building commands, reading answers, mapping rspCodes to
errors, the one-request motion/AI batch, and the login backoff that keeps a client
away from the device's own lockout. No I/O here."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .errors import (
    LanAuthFailed,
    LanCommandError,
    LanError,
    LanLocked,
    LanNotSupported,
    LanUnexpectedResponse,
)
from .models import AI_TYPES, ChannelState

RSP_PARAM_ERROR = -4
RSP_MAX_SESSION = -5
RSP_LOGIN_FIRST = -6
RSP_LOGIN_FAILED = -7
RSP_NOT_SUPPORT = -9
RSP_INVALID_USER = -27

# A token is replaced this long before its lease ends (the API has no refresh command).
REFRESH_EARLY_SECONDS = 60.0
DEFAULT_LEASE_SECONDS = 3600.0

Command = dict[str, Any]


def cmd(name: str, param: dict[str, Any] | None = None) -> Command:
    return {"cmd": name, "action": 0, "param": param or {}}


def check_channel(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("A channel is a whole number, 0 or more.")
    return value


def login_command(username: str, password: str) -> Command:
    return cmd("Login", {"User": {"Version": "0", "userName": username, "password": password}})


def answers_or_error(answers: Any, where: str, status: int) -> list[dict[str, Any]]:
    """The decoded body when it is the API's list of envelopes, else LanUnexpectedResponse.
    An empty list is not one either: every request sends at least one command."""
    if not isinstance(answers, list) or not answers or not all(isinstance(a, dict) for a in answers):
        raise LanUnexpectedResponse(f"{where} answered HTTP {status} without the LAN API's JSON.")
    return answers


def refused(answers: list[dict[str, Any]]) -> bool:
    """The firmware's one-envelope answer to a missing, unknown or expired token."""
    error = answers[0].get("error") if len(answers) == 1 else None
    return isinstance(error, dict) and error.get("rspCode") == RSP_LOGIN_FIRST


def error_for(where: str, command: str, code: Any, detail: str) -> LanError:
    where = f"{command} on {where}"
    if code == RSP_NOT_SUPPORT:
        return LanNotSupported(f"{where}: not supported by this model.", command=command, rsp_code=code, detail=detail)
    if code in (RSP_LOGIN_FIRST, RSP_LOGIN_FAILED, RSP_INVALID_USER):
        return LanAuthFailed(f"{where}: {detail or 'not logged in'}.", command=command, rsp_code=code, detail=detail)
    if code == RSP_MAX_SESSION:
        return LanCommandError(f"{where}: the device has no free session.", command=command, rsp_code=code)
    return LanCommandError(f"{where}: {detail or 'refused'} ({code}).", command=command, rsp_code=code, detail=detail)


def value_of(where: str, answer: dict[str, Any]) -> dict[str, Any]:
    command = str(answer.get("cmd", ""))
    if answer.get("code") != 0:
        error = _error_of(answer)
        raise error_for(where, command, error.get("rspCode"), str(error.get("detail", "")))
    value = answer.get("value")
    if not isinstance(value, dict):
        raise LanUnexpectedResponse(f"{command} answered without a value.", command=command)
    return value


def token_of(answer: dict[str, Any]) -> tuple[str, float]:
    """(token, lease seconds) of a successful Login answer."""
    value = answer.get("value")
    token = value.get("Token") if isinstance(value, dict) else None
    if not isinstance(token, dict) or not isinstance(token.get("name"), str):
        raise LanUnexpectedResponse("Login answered without a token.", command="Login")
    return token["name"], _seconds(token.get("leaseTime"), DEFAULT_LEASE_SECONDS)


def states_batch(channels: Sequence[int]) -> list[Command]:
    """GetMdState and GetAiState of every channel, for ONE request."""
    batch: list[Command] = []
    for ch in channels:
        batch += [cmd("GetMdState", {"channel": ch}), cmd("GetAiState", {"channel": ch})]
    return batch


def parse_states(where: str, channels: Sequence[int], answers: list[dict[str, Any]]) -> list[ChannelState]:
    """The answers to states_batch(channels). A device without AI answers GetAiState
    "not supported": that channel's ``ai`` is None, which is normal, not a failure."""
    result = []
    for index, ch in enumerate(channels):
        motion = value_of(where, answers[2 * index])
        ai_answer = answers[2 * index + 1]
        ai: dict[str, bool] | None
        error = ai_answer.get("error") if ai_answer.get("code") != 0 else None
        if isinstance(error, dict) and error.get("rspCode") == RSP_NOT_SUPPORT:
            ai = None
        else:
            value = value_of(where, ai_answer)
            ai = {
                kind: value[kind].get("alarm_state") == 1
                for kind in AI_TYPES
                if isinstance(value.get(kind), dict) and value[kind].get("support") == 1
            }
        result.append(ChannelState(channel=ch, motion=motion.get("state") == 1, ai=ai))
    return result


class LoginBackoff:
    """When a client may send Login again. Reolink locks logins after 5 consecutive
    failures; after a failed login the client waits ``backoff`` seconds (doubling), and
    after ``max_failures`` (3) it stops until the credentials change. A device already
    locked (by someone else) is left alone for its own ``unlock_time``."""

    def __init__(self, backoff: float, max_failures: int, clock: Callable[[], float]) -> None:
        self.backoff = backoff
        self.max_failures = max_failures
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.failures = 0
        self.blocked_until = 0.0
        self.locked = False

    def check(self) -> None:
        """Raise LanAuthFailed/LanLocked, without contacting the device, while it must wait."""
        now = self._clock()
        if now >= self.blocked_until:
            return
        left = self.blocked_until - now
        if self.locked:
            raise LanLocked(f"The device's logins are locked for {left:.0f} s more.", retry_after=left)
        if math.isinf(left):
            raise LanAuthFailed(
                f"Login failed {self.failures} times; not trying again until the credentials change.",
                retry_after=left,
            )
        raise LanAuthFailed(f"Login failed; the next attempt waits {left:.0f} s.", retry_after=left)

    def succeeded(self) -> None:
        self.reset()

    def failed(self, answer: dict[str, Any], where: str) -> LanError:
        """The error for a refused Login answer, remembering how long to wait."""
        error = _error_of(answer)
        code, detail = error.get("rspCode"), str(error.get("detail", ""))
        if code not in (RSP_LOGIN_FAILED, RSP_INVALID_USER):
            return error_for(where, "Login", code, detail)
        if "lock" in detail.lower():
            wait = _seconds(error.get("unlock_time"), 300.0)
            self.blocked_until, self.locked = self._clock() + wait, True
            return LanLocked(
                f"The device locked its logins after too many failures; try again in {wait:.0f} s.",
                retry_after=wait,
                command="Login",
                rsp_code=code,
                detail=detail,
            )
        self.failures += 1
        wait = math.inf if self.failures >= self.max_failures else self.backoff * 2 ** (self.failures - 1)
        self.blocked_until, self.locked = self._clock() + wait, False
        return LanAuthFailed(
            "The device refused the user name or password.",
            retry_after=wait,
            command="Login",
            rsp_code=code,
            detail=detail,
        )


def _error_of(answer: dict[str, Any]) -> dict[str, Any]:
    # A device (or something else at its address) may answer any JSON: only a dict is an error.
    error = answer.get("error")
    return error if isinstance(error, dict) else {}


def _seconds(value: Any, default: float) -> float:
    """A number of seconds from a device's answer; `default` for anything else."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if math.isfinite(seconds) and seconds > 0 else default
