"""POST /rop/setup: ROP configuration over the LAN (onboarding).

A setup tool finds the camera (UDP discovery, see discovery.py) and posts the
values of a device initialization session: host, getCAPort, getCertPort,
registerPort, code, caHash, time (uid optional). A real camera then syncs its
clock, downloads the CA and its certificate/key from the Core Server and
registers. The emulator validates the fields and answers ``{"message":
"ok"}``; the device steps cannot fail on their own, but a test can inject one
(``DeviceLanState.setup_failure = "download_ca_failed"``) to see its envelope.
Success records the values and marks the device registered; the device is
already in the fleet (only fleet devices get a LAN port), so nothing else
changes.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ropsim.errors import RopError

from .state import DeviceLanState

FIELDS = ("host", "getCAPort", "getCertPort", "registerPort", "code", "caHash", "time")

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-:\[\]]{1,62}$")
_BASE64_RE = re.compile(r"^[A-Za-z0-9+/=_\-]{1,126}$")


def error_response(symbol: str, message: str | None = None) -> web.Response:
    """The Core Server's envelope; the onboarding symbols are in ropsim.errors.SYMBOLS."""
    return RopError(symbol, message).response()


def validate(body: Any, uid: str) -> tuple[dict[str, Any] | None, web.Response | None]:
    """The accepted values, or the error response to send."""
    if not isinstance(body, dict):
        return None, error_response("invalid_parameter")
    bad = []
    host = body.get("host")
    if not isinstance(host, str) or not _HOST_RE.match(host):
        bad.append("host")
    for name in ("getCAPort", "getCertPort", "registerPort"):
        port = body.get(name)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            bad.append(name)
    code = body.get("code")
    if not isinstance(code, str) or not 1 <= len(code) < 255:
        bad.append("code")
    ca_hash = body.get("caHash")
    if not isinstance(ca_hash, str) or not _BASE64_RE.match(ca_hash):
        bad.append("caHash")
    when = body.get("time")
    if not isinstance(when, int | float) or isinstance(when, bool) or when < 0:
        bad.append("time")
    if bad:
        return None, error_response("invalid_parameter", f"Invalid parameter: {', '.join(bad)}.")
    if "uid" in body and body["uid"] != uid:
        return None, error_response("device_not_matched")
    values = {k: body[k] for k in FIELDS}
    return values, None


async def handle_setup(request: web.Request, lan: DeviceLanState) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return error_response("invalid_parameter", "The body is not JSON.")
    values, error = validate(body, lan.uid)
    if error is not None:
        return error
    if lan.setup_failure:
        return error_response(lan.setup_failure)
    lan.setup_values = values
    return web.json_response({"message": "ok"})
