"""One-shot canned answers (POST /_sim/inject) for tests that need one exact error.

``error_rate`` draws failures at random; a client test that must see, say, one
server_internal_error on one route, or a symbol the simulator never produces
by itself, queues it here. Injections apply after the gateway (auth, rate
limit) and before the handler, first match wins, each for ``count`` requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ropsim.errors import SYMBOLS, RopError


@dataclass
class Injection:
    symbol: str | None
    count: int
    method: str | None
    path: str | None  # a literal path or a route pattern such as /v1.0/devices/{uid}/settings/alarm
    status: int
    retry_after: int | None
    body: Any  # raw body instead of the envelope (a str is sent as text/plain)
    message: str | None

    def matches(self, request: web.Request) -> bool:
        if self.method and self.method.upper() != request.method:
            return False
        if self.path:
            resource = request.match_info.route.resource
            canonical = resource.canonical if resource is not None else None
            if self.path not in (request.path, canonical):
                return False
        return True

    def response(self) -> web.Response:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.body is not None:
            if isinstance(self.body, str):
                return web.Response(text=self.body, status=self.status, headers=headers)
            return web.json_response(self.body, status=self.status, headers=headers)
        message = self.message or (SYMBOLS[self.symbol][1] if self.symbol in SYMBOLS else "Injected error")
        return web.json_response(
            {"error": {"symbol": self.symbol, "message": message}}, status=self.status, headers=headers
        )


def parse_injection(body: dict[str, Any]) -> Injection:
    symbol = body.get("symbol")
    raw_body = body.get("body")
    if symbol is None and raw_body is None:
        raise RopError("invalid_parameter", "Give a symbol or a body")
    if symbol is not None and (not isinstance(symbol, str) or not symbol):
        raise RopError("invalid_parameter", "Invalid symbol")
    status = body.get("status")
    if status is None:
        if symbol not in SYMBOLS:
            raise RopError("invalid_parameter", "An unknown symbol needs a status")
        status = SYMBOLS[symbol][0]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise RopError("invalid_parameter", "Invalid status")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise RopError("invalid_parameter", "Invalid count")
    retry_after = body.get("retryAfter")
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int)):
        raise RopError("invalid_parameter", "Invalid retryAfter")
    method, path, message = body.get("method"), body.get("path"), body.get("message")
    for name, value in (("method", method), ("path", path), ("message", message)):
        if value is not None and not isinstance(value, str):
            raise RopError("invalid_parameter", f"Invalid {name}")
    return Injection(symbol, count, method, path, status, retry_after, raw_body, message)


def take(queue: list[Injection], request: web.Request) -> web.Response | None:
    for i, injection in enumerate(queue):
        if injection.matches(request):
            injection.count -= 1
            if injection.count <= 0:
                del queue[i]
            return injection.response()
    return None
