"""The aiohttp application: gateway behaviour (auth, rate limit), error shapes, routes.

Middleware order, outermost first:
  counters  -> per-route request counts for the control API (ROP routes only)
  errors    -> RopError => the spec's envelope; unknown route / wrong method => 404
               {"message": "resource not found."} like the Core Server
  control   -> /_sim/ only from this machine (the peer's address is loopback), 403
               otherwise, unless --control-from-anywhere
  gateway   -> optional token check (403 auth_failed) and per-token budget
               (429 frequent_request + Retry-After); /_sim/ is exempt from both;
               then any canned answer queued with POST /_sim/inject
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from ropsim import control, devices, firmware, media, records, wifi
from ropsim.config import SimConfig
from ropsim.context import SIM
from ropsim.errors import RopError, not_found_response
from ropsim.injection import take as take_injection
from ropsim.sim import Simulator

if TYPE_CHECKING:  # ropsim.lan is imported when LAN devices are asked for (_start_lan)
    from ropsim.lan import LanServers

log = logging.getLogger("ropsim")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONTROL_PREFIX = "/_sim/"
TICK_SECONDS = 0.05


def _route_key(request: web.Request) -> str:
    route = request.match_info.route
    resource = route.resource
    if resource is None or isinstance(request.match_info.http_exception, web.HTTPException):
        return "unmatched"
    return f"{request.method} {resource.canonical}"


@web.middleware
async def counters_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    sim = request.app[SIM]
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        # Only the ROP side is counted: the control API would otherwise count its own reads.
        if not request.path.startswith(CONTROL_PREFIX):
            sim.count(_route_key(request), status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RopError as exc:
        return exc.response()
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return not_found_response()
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return RopError("server_internal_error").response()


def from_this_machine(remote: str | None) -> bool:
    """Whether a peer address (aiohttp's request.remote: the socket's peer, never a
    forwarded header) is loopback, IPv4-mapped loopback included."""
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@web.middleware
async def control_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The control API has no authentication and shows the token and authcode: only callers
    on this machine may use it, unless the simulator was started with --control-from-anywhere."""
    sim_config = request.app[SIM].config
    if (
        request.path.startswith(CONTROL_PREFIX)
        and not sim_config.control_from_anywhere
        and not from_this_machine(request.remote)
    ):
        log.warning(
            "refused %s %s from %s: the control API answers this machine only",
            request.method,
            request.path,
            request.remote,
        )
        return web.json_response(
            {
                "error": "control_forbidden",
                "message": "The control API (/_sim/) answers callers on this machine only; start "
                "the simulator with --control-from-anywhere to allow others.",
            },
            status=403,
        )
    return await handler(request)


@web.middleware
async def gateway_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    sim = request.app[SIM]
    sim.tick()
    if request.path.startswith(CONTROL_PREFIX):
        return await handler(request)
    cfg = sim.config
    presented = _presented_token(request, cfg)
    if cfg.token and presented != cfg.token:
        raise RopError("auth_failed")
    wait = sim.limiter.check(presented or "anonymous")
    if wait is not None:
        raise RopError("frequent_request", headers={"Retry-After": sim.limiter.retry_after_header(wait)})
    if sim.injections:
        canned = take_injection(sim.injections, request)
        if canned is not None:
            return canned
    return await handler(request)


def _presented_token(request: web.Request, cfg: SimConfig) -> str | None:
    if cfg.auth_header:
        value = request.headers.get(cfg.auth_header)
        if value is None:
            return None
        value = value.strip()
        return value[7:].strip() if value.lower().startswith("bearer ") else value
    value = request.headers.get("Authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


async def _ticker(app: web.Application) -> None:
    sim = app[SIM]
    while True:
        try:
            sim.tick()
            sim.random_alarm_tick()
        except Exception:
            log.exception("ticker")
        await asyncio.sleep(TICK_SECONDS)


async def _on_startup(app: web.Application) -> None:
    sim = app[SIM]
    await sim.alarms.start()
    app[TICKER] = asyncio.ensure_future(_ticker(app))
    if sim.config.lan_devices > 0:
        await _start_lan(app, sim)


async def _start_lan(app: web.Application, sim: Simulator) -> None:
    from ropsim.lan import start_lan_servers  # the LAN engineer's package; only needed here

    uids = list(sim.fleet.devices)[: sim.config.lan_devices]
    config = sim.config
    group = await start_lan_servers(
        sim.fleet, uids=uids, host=config.host, port_base=config.lan_port_base, https=config.lan_https
    )
    app[LAN_GROUP] = group
    sim.lan_endpoints = [
        {
            "uid": ep.uid,
            "host": ep.host,
            "port": ep.port,
            "url": ep.url,
            "username": ep.username,
            "password": ep.password,
            "cert_sha256": ep.cert_sha256,
        }
        for ep in group
    ]


async def _on_cleanup(app: web.Application) -> None:
    sim = app[SIM]
    ticker = app.get(TICKER)
    if ticker is not None:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
    group = app.get(LAN_GROUP)
    if group is not None:
        from ropsim.lan import stop_lan_servers

        await stop_lan_servers(group)
    await sim.alarms.close()


TICKER = web.AppKey("ropsim.ticker", asyncio.Task)
LAN_GROUP: web.AppKey[LanServers] = web.AppKey("ropsim.lan_group")


def create_app(sim: Simulator) -> web.Application:
    # client_max_size only bounds request.read(); firmware uploads stream past it.
    app = web.Application(
        middlewares=[counters_middleware, errors_middleware, control_middleware, gateway_middleware],
        client_max_size=4 * 1024 * 1024,
    )
    app[SIM] = sim
    for module in (devices, records, media, wifi, firmware, control):
        app.router.add_routes(module.routes)
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    return app
