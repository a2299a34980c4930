"""HTTP side of the emulator: one aiohttp server per exposed device.

Clients such as reolink-aio talk to ``host:port`` and always use
``/cgi-bin/api.cgi``, so a device cannot be chosen by path: every device gets
its own port. Each server answers:

* ``POST /cgi-bin/api.cgi?cmd=X&token=T`` - a JSON list of commands, answered
  in order (Login/Logout handled here, the rest in commands.py);
* ``GET /cgi-bin/api.cgi?cmd=Snap&channel=N&token=T`` - a JPEG;
* either with ``&user=U&password=P`` instead of a token (Reolink's "short
  session": every request authenticates itself);
* ``POST /rop/setup`` - ROP onboarding (setup.py);
* ``GET /`` - a stand-in for the web UI's login page.

A device that is offline in the fleet (or rebooting) accepts the TCP
connection and closes it without an HTTP answer: clients see "server
disconnected" at once, which is how a camera whose web server is down looks
and keeps tests fast (a real unplugged camera would time out instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import devices, snapshot, tls
from .commands import COMMANDS, Context
from .discovery import start_discovery
from .media_port import start_media_port
from .protocol import (
    JSON_CONTENT_TYPE,
    LOCKED_DETAIL,
    RSP_INVALID_USER,
    RSP_LOGIN_FAILED,
    RSP_LOGIN_FIRST,
    RSP_MAX_SESSION,
    RSP_NOT_SUPPORT,
    RSP_PARAM_ERROR,
    SET_OK,
    CommandError,
    dumps,
    ok,
)
from .setup import handle_setup
from .state import DeviceLanState, LanOptions, LanState

DEMO_PASSWORD = "ropsim-demo-1"  # noqa: S105 - documented demo credential of the emulator
DEFAULT_USERNAME = "admin"
REBOOT_REASON = "lan-reboot"  # fleet offline reason while a LAN Reboot lasts

# What old firmware sends back for a Snap whose token it rejects: its web UI.
WEB_UI_HTML = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reolink</title>
<link rel="stylesheet" href="/css/main.css">
<script src="/js/jquery.min.js"></script>
<script src="/js/main.js"></script>
</head>
<body>
<div id="app">
  <div class="login-panel">
    <img src="/img/logo.png" alt="Reolink">
    <form id="login" action="/cgi-bin/api.cgi?cmd=Login" method="post">
      <input type="text" name="user" placeholder="User Name" autocomplete="username">
      <input type="password" name="password" placeholder="Password" autocomplete="current-password">
      <button type="submit">Login</button>
    </form>
    <p class="hint">Please use the latest version of Chrome, Firefox, Edge or Safari.</p>
  </div>
</div>
<noscript>Please enable JavaScript to use the web client.</noscript>
</body>
</html>
"""


@dataclass
class LanEndpoint:
    """Where one emulated device listens, and the credentials it accepts."""

    uid: str
    host: str
    port: int
    username: str
    password: str
    scheme: str = "http"  # "https" when started with https=True
    cert_sha256: str | None = None  # SHA-256 of the device's current certificate (HTTPS only)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/cgi-bin/api.cgi"


@dataclass
class _Auth:
    """Outcome of authenticating one request."""

    ok: bool = False
    error: CommandError | None = None  # answer for every non-Login cmd when not ok
    username: str = ""


class DeviceServer:
    """The HTTP API of one device: routes, authentication, command dispatch."""

    def __init__(self, fleet: Any, lan: DeviceLanState, endpoint: LanEndpoint, media_port: int = 0) -> None:
        self.fleet = fleet
        self.lan = lan
        self.endpoint = endpoint
        self.media_port = media_port
        self._reboot_handle: asyncio.TimerHandle | None = None
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_route("*", "/cgi-bin/api.cgi", self.api)
        self.app.router.add_post("/rop/setup", self.setup)
        self.app.router.add_get("/", self.web_ui)

    # -- fleet coupling --------------------------------------------------------
    def available(self) -> Any:
        """The fleet device if it is on the LAN now (online, not rebooting), else None.

        Fleet.get() brings its battery and sleep state up to the fleet clock.
        """
        self._finish_reboot_if_due()
        dev = self.fleet.get(self.lan.uid)
        if dev is None or not dev.online or self.lan.rebooting():
            return None
        return dev

    def _reachable(self) -> Any:
        """available(), and a request to it wakes a dozing battery camera as a cloud call does."""
        dev = self.available()
        if dev is not None:
            dev.wake(self.fleet.clock.now(), self.fleet.stay_awake_s)
        return dev

    def _start_reboot(self) -> None:
        self.lan.reboot()
        self.fleet.set_offline(self.lan.uid, REBOOT_REASON)
        # Back online after reboot_seconds of wall time, or earlier if the
        # fleet clock is advanced past the window (checked on every request).
        loop = asyncio.get_running_loop()
        self._reboot_handle = loop.call_later(self.lan.options.reboot_seconds, self._finish_reboot)

    def _finish_reboot_if_due(self) -> None:
        if self.lan.offline_until and not self.lan.rebooting():
            self._finish_reboot()

    def _finish_reboot(self) -> None:
        if self._reboot_handle is not None:
            self._reboot_handle.cancel()
            self._reboot_handle = None
        if not self.lan.offline_until:
            return
        self.lan.offline_until = 0.0
        if self.lan.uid in self.fleet.devices:
            self.fleet.set_online(self.lan.uid, REBOOT_REASON)

    def close(self) -> None:
        if self._reboot_handle is not None:
            self._finish_reboot()

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        """Close the connection without an HTTP answer (device unreachable)."""
        if request.transport is not None:
            request.transport.abort()
        # Writing this to the aborted transport fails quietly inside aiohttp
        # (a ConnectionError it treats as "client went away"); nothing is sent.
        return web.Response(status=503)

    # -- routes ----------------------------------------------------------------
    async def web_ui(self, request: web.Request) -> web.StreamResponse:
        if self._reachable() is None:
            return self._drop(request)
        return web.Response(text=WEB_UI_HTML, content_type="text/html")

    async def setup(self, request: web.Request) -> web.StreamResponse:
        if self._reachable() is None:
            return self._drop(request)
        return await handle_setup(request, self.lan)

    async def api(self, request: web.Request) -> web.StreamResponse:
        dev = self._reachable()
        if dev is None:
            return self._drop(request)
        self.lan.requests_seen += 1
        query = request.query
        cmd = query.get("cmd", "")
        self.lan.request_times.append((time.monotonic(), cmd))
        if request.method == "GET" and cmd == "Snap":
            return await self._snap(request, dev)
        if request.method == "POST":
            body = await self._body(request, cmd)
        elif request.method == "GET" and cmd:
            # Browsing to api.cgi?cmd=X: one command, params from the query.
            param = {k: _maybe_int(v) for k, v in query.items() if k not in _AUTH_QUERY}
            body = [{"cmd": cmd, "action": 0, "param": param}]
        elif request.method == "GET":
            return web.Response(text=WEB_UI_HTML, content_type="text/html")
        else:
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        if isinstance(body, CommandError):
            answers = [body.envelope(cmd or "Unknown")]
        else:
            answers = self._run_batch(dev, body, query)
        return web.Response(text=dumps(answers), content_type=JSON_CONTENT_TYPE)

    async def _body(self, request: web.Request, cmd: str) -> list[dict[str, Any]] | CommandError:
        raw = await request.read()
        if not raw.strip():
            return [{"cmd": cmd, "action": 0, "param": {}}] if cmd else CommandError(RSP_PARAM_ERROR)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return CommandError(RSP_PARAM_ERROR)
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            return CommandError(RSP_PARAM_ERROR)
        return body

    # -- authentication --------------------------------------------------------
    def _check_password(self, username: Any, password: Any) -> CommandError | None:
        """Verify credentials, counting failures toward the lockout."""
        guard = self.lan.guard
        left = guard.remaining()
        if left > 0:
            return CommandError(RSP_LOGIN_FAILED, LOCKED_DETAIL, {"unlock_time": int(left + 0.999)})
        if username != self.endpoint.username:
            guard.failure()
            return CommandError(RSP_INVALID_USER)
        if password != self.endpoint.password:
            guard.failure()
            return CommandError(RSP_LOGIN_FAILED)
        guard.success()
        return None

    def _authenticate(self, query: Any) -> _Auth:
        if "user" in query or "password" in query:
            error = self._check_password(query.get("user"), query.get("password"))
            return _Auth(ok=error is None, error=error, username=str(query.get("user")))
        session = self.lan.sessions.get(query.get("token"))
        if session is None:
            return _Auth(error=CommandError(RSP_LOGIN_FIRST))
        return _Auth(ok=True, username=session.username)

    # -- commands --------------------------------------------------------------
    def _run_batch(self, dev: Any, body: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
        names = [str(item.get("cmd", "")) for item in body]
        if "Login" not in names:
            # The firmware checks the token before looking at the commands: a
            # rejected request gets one error envelope (named after the first
            # command), not one per command. Clients rely on that short answer
            # ("please login first" in under 500 bytes) to log in again.
            auth = self._authenticate(query)
            if not auth.ok:
                assert auth.error is not None
                self.lan.commands_seen.extend(names)
                return [auth.error.envelope(names[0] if names else "Unknown")]
        else:
            auth = None  # resolved on the first command after the Login
        answers = []
        reboot = False
        for item in body:
            name = str(item.get("cmd", ""))
            self.lan.commands_seen.append(name)
            param = item.get("param") or {}
            action = item.get("action", 0)
            try:
                if name == "Login":
                    answers.append(self._login(name, param))
                    continue
                if auth is None:
                    auth = self._authenticate(query)
                if not auth.ok:
                    assert auth.error is not None
                    raise auth.error
                if name == "Logout":
                    self.lan.sessions.close(query.get("token"))
                    answers.append(ok(name, dict(SET_OK)))
                elif name == "Reboot":
                    reboot = True
                    answers.append(ok(name, dict(SET_OK)))
                elif name in COMMANDS:
                    ep = self.endpoint
                    ctx = Context(dev, self.lan, ep.host, ep.port, auth.username, self.media_port)
                    result = COMMANDS[name](ctx, param if isinstance(param, dict) else {}, int(action or 0))
                    value, extra = result if isinstance(result, tuple) else (result, None)
                    answers.append(ok(name, value, extra))
                else:
                    # Firmware names commands it has never heard of "Unknown";
                    # known ones the hardware lacks keep their name (commands.py).
                    answers.append(CommandError(RSP_NOT_SUPPORT).envelope("Unknown"))
            except CommandError as err:
                answers.append(err.envelope(name))
        if reboot:
            # The answer still goes out; the device is gone from the next request.
            self._start_reboot()
        return answers

    def _login(self, name: str, param: Any) -> dict[str, Any]:
        user = param.get("User") if isinstance(param, dict) else None
        if not isinstance(user, dict) or "userName" not in user or "password" not in user:
            raise CommandError(RSP_PARAM_ERROR)
        error = self._check_password(user.get("userName"), user.get("password"))
        if error is not None:
            raise error
        session = self.lan.sessions.open(str(user["userName"]))
        if session is None:
            raise CommandError(RSP_MAX_SESSION)
        return ok(name, {"Token": {"leaseTime": self.lan.sessions.lease_seconds, "name": session.token}})

    async def _snap(self, request: web.Request, dev: Any) -> web.StreamResponse:
        query = request.query
        self.lan.commands_seen.append("Snap")
        auth = self._authenticate(query)
        if not auth.ok:
            assert auth.error is not None
            if self.lan.old_firmware:
                return web.Response(text=WEB_UI_HTML, content_type="text/html")
            return web.Response(text=dumps([auth.error.envelope("Snap")]), content_type=JSON_CONTENT_TYPE)
        try:
            channel = int(query.get("channel", "0"))
        except ValueError:
            channel = -1
        if not 0 <= channel < len(self.lan.channels):
            return web.Response(
                text=dumps([CommandError(RSP_PARAM_ERROR).envelope("Snap")]), content_type=JSON_CONTENT_TYPE
            )
        name = devices.channel_name(dev, channel)
        jpeg = await snapshot.render(dev, name, channel, query.get("snapType", "main"), self.lan.clock())
        return web.Response(body=jpeg, content_type="image/jpeg")


_AUTH_QUERY = ("cmd", "token", "user", "password")


def _maybe_int(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return value


@dataclass
class _Running:
    server: DeviceServer
    runner: web.AppRunner
    ssl_context: ssl.SSLContext | None = None


class LanServers(list[LanEndpoint]):
    """The endpoints of a started emulator (a list), plus its state and close()."""

    def __init__(self, state: LanState) -> None:
        super().__init__()
        self.state = state
        self.discovery_port: int | None = None
        self.media_port = 0
        self._running: list[_Running] = []
        self._discovery: asyncio.DatagramTransport | None = None
        self._media: asyncio.Server | None = None

    def endpoint(self, uid: str) -> LanEndpoint:
        for endpoint in self:
            if endpoint.uid == uid:
                return endpoint
        raise KeyError(uid)

    def rotate_certificate(self, uid: str) -> str:
        """Give an HTTPS device a new self-signed certificate (a reset camera) and
        return its SHA-256; connections opened from now on see it."""
        for running in self._running:
            endpoint = running.server.endpoint
            if endpoint.uid == uid:
                if running.ssl_context is None:
                    raise ValueError(f"{uid} is served over plain HTTP")
                certificate = tls.generate(uid, endpoint.host)
                tls.load(running.ssl_context, certificate)
                endpoint.cert_sha256 = certificate.sha256
                return certificate.sha256
        raise KeyError(uid)

    def discovery_answers(self) -> Iterable[dict[str, Any]]:
        for running in self._running:
            if running.server.available() is not None:
                ep = running.server.endpoint
                yield {"uid": ep.uid, "ip": ep.host, "port": ep.port}

    async def close(self) -> None:
        self.state.unsubscribe()
        if self._discovery is not None:
            self._discovery.close()
            self._discovery = None
        running, self._running = self._running, []
        for item in running:
            item.server.close()
            with contextlib.suppress(Exception):
                await item.runner.cleanup()
        if self._media is not None:
            self._media.close()
            self._media = None


async def start_lan_servers(
    fleet: Any,
    uids: Iterable[str] | None = None,
    host: str = "127.0.0.1",
    port_base: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEMO_PASSWORD,
    *,
    discovery_port: int | None = None,
    options: LanOptions | None = None,
    https: bool = False,
    certificate_per: str = "device",
) -> LanServers:
    """Expose fleet devices on the LAN API, one HTTP port each.

    ``uids`` None exposes every device in ``fleet.devices``. ``port_base`` 0
    picks free ports; otherwise device i listens on ``port_base + i``.
    ``discovery_port`` starts the UDP discovery responder (0 = a free port).
    ``https`` serves HTTPS instead of HTTP with self-signed certificates (tls.py):
    one per device (``certificate_per="device"``, like real cameras) or one for
    the whole run (``"run"``, faster to start with many devices).
    Must be awaited in the event loop that will serve the requests.
    """
    if certificate_per not in ("device", "run"):
        raise ValueError(f"certificate_per must be 'device' or 'run', not {certificate_per!r}")
    state = LanState(fleet, options)
    servers = LanServers(state)
    selected = list(fleet.devices) if uids is None else list(uids)
    shared = tls.generate("ropsim-lan", host) if https and certificate_per == "run" else None
    try:
        servers._media, servers.media_port = await start_media_port(host)
        for index, uid in enumerate(selected):
            dev = fleet.devices[uid]
            lan = state.add(dev)
            endpoint = LanEndpoint(uid, host, 0, username, password)
            server = DeviceServer(fleet, lan, endpoint, servers.media_port)
            context = None
            if https:
                # Generated in a thread: EC keys are quick, but hundreds of devices are not.
                certificate = shared if shared is not None else await asyncio.to_thread(tls.generate, uid, host)
                context = tls.server_context(certificate)
                endpoint.scheme = "https"
                endpoint.cert_sha256 = certificate.sha256
            runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(
                runner, host, port_base + index if port_base else 0, reuse_address=True, ssl_context=context
            )
            await site.start()
            sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - aiohttp has no public getter
            endpoint.port = sockets[0].getsockname()[1] if sockets else port_base + index
            servers._running.append(_Running(server, runner, context))
            servers.append(endpoint)
        if discovery_port is not None:
            transport, bound = await start_discovery(host, discovery_port, servers.discovery_answers)
            servers._discovery = transport
            servers.discovery_port = bound
    except BaseException:
        await servers.close()
        raise
    state.subscribe()
    return servers


async def stop_lan_servers(servers: LanServers) -> None:
    await servers.close()
