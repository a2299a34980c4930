"""AsyncLanClient: the LAN JSON API on aiohttp, for the LAN poller's event loop.

The same session rules as the blocking LanClient (client.py), sharing its envelope
code and login backoff (protocol.py): one token per client, reused until 60 s before
its lease ends; a request answered "please login first" (a reboot, an expired lease)
logs in once more and is retried once; failed logins back off well before the
device's lockout; close() logs out.

Connections: every new connection's address comes from the caller's AddressPolicy
(a resolver that checks what the name resolves to; an address literal is checked
once here, since aiohttp does not ask resolvers about literals). HTTPS is pinned with
aiohttp.Fingerprint to the stored SHA-256; another certificate raises
CertificateChanged during the handshake, before the password is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from ..addresses import AddressPolicy
from .errors import CertificateChanged, LanAuthFailed, LanError, LanTimeout, LanUnexpectedResponse, LanUnreachable
from .models import ChannelState
from .protocol import (
    REFRESH_EARLY_SECONDS,
    Command,
    LoginBackoff,
    answers_or_error,
    check_channel,
    cmd,
    login_command,
    parse_states,
    refused,
    states_batch,
    token_of,
    value_of,
)
from .tls import fetch_fingerprint, normalise_fingerprint

__all__ = ["AsyncLanClient", "PolicyResolver"]

# Status answers are a few kilobytes; anything far larger is not the API.
MAX_ANSWER_BYTES = 1024 * 1024


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class PolicyResolver(AbstractResolver):
    """Resolves a name through the AddressPolicy: every address it answers is checked
    (rop.errors.AddressRefused otherwise) and only those are connected to."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await asyncio.to_thread(self.policy.resolve, host, port)
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class AsyncLanClient:
    """One device's LAN API. Create and use it inside the event loop that runs it."""

    def __init__(
        self,
        host: str,
        port: int = 80,
        scheme: str = "http",
        username: str = "admin",
        password: str = "",
        timeout: float = 8.0,
        address_policy: AddressPolicy | None = None,
        pinned_sha256: str | None = None,
        *,
        login_backoff: float = 30.0,
        max_login_failures: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError("scheme is http or https.")
        if not 0 < port < 65536:
            raise ValueError("port is 1-65535.")
        self.host = host.strip()
        self.port = port
        self.scheme = scheme
        self.timeout = timeout
        self.policy = address_policy or AddressPolicy.for_lan()
        self.username = username
        self.password = password
        self._clock = clock
        self._backoff = LoginBackoff(login_backoff, max_login_failures, clock)
        self._pin = normalise_fingerprint(pinned_sha256) if pinned_sha256 else None
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{scheme}://{shown}:{port}/cgi-bin/api.cgi"
        self._where = f"{self.host}:{self.port}"
        self._token: str | None = None
        self._token_expires = 0.0
        self._session: aiohttp.ClientSession | None = None
        self._literal_checked = False

    @property
    def certificate_sha256(self) -> str | None:
        """The pinned fingerprint: the caller's, or the one seen on first use (store it)."""
        return self._pin

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    # -- HTTP ---------------------------------------------------------------------
    async def _ensure_ready(self) -> aiohttp.ClientSession:
        if not self._literal_checked:
            if _is_literal(self.host):
                self.policy.resolve(self.host, self.port)  # no lookup for a literal; AddressRefused
            self._literal_checked = True
        if self.scheme == "https" and not self._pin:
            try:
                self._pin = await asyncio.to_thread(fetch_fingerprint, self.host, self.port, self.policy, self.timeout)
            except TimeoutError as exc:
                raise LanTimeout(f"No TLS answer from {self._where} within {self.timeout:g} s.") from exc
            except (OSError, ssl.SSLError) as exc:
                raise LanUnreachable(f"Could not open TLS to {self._where}: {exc}") from exc
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=PolicyResolver(self.policy), use_dns_cache=False, limit=4, enable_cleanup_closed=False
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,  # no proxies: the connection goes to the checked address
                auto_decompress=True,
            )
        return self._session

    async def _post(self, commands: list[Command], token: str | None) -> list[dict[str, Any]]:
        session = await self._ensure_ready()
        params = {"cmd": commands[0]["cmd"], "token": token or "null"}
        ssl_arg: Any = aiohttp.Fingerprint(bytes.fromhex(self._pin)) if self.scheme == "https" and self._pin else True
        try:
            async with session.post(
                self.url, params=params, data=json.dumps(commands), ssl=ssl_arg, allow_redirects=False
            ) as response:
                if (response.content_length or 0) > MAX_ANSWER_BYTES:
                    raise LanUnexpectedResponse(f"{self._where} answered more than {MAX_ANSWER_BYTES} bytes.")
                body = await response.content.read(MAX_ANSWER_BYTES + 1)
                status = response.status
        except aiohttp.ServerFingerprintMismatch as exc:
            assert self._pin is not None
            raise CertificateChanged(self._pin, exc.got.hex()) from exc
        except TimeoutError as exc:
            raise LanTimeout(f"{self._where} did not answer within {self.timeout:g} s.") from exc
        except aiohttp.ClientError as exc:
            raise LanUnreachable(f"{self._where} is unreachable: {exc}") from exc
        try:
            answers = json.loads(body)
        except ValueError:
            answers = None
        return answers_or_error(answers, self._where, status)

    # -- session ------------------------------------------------------------------
    async def login(self) -> None:
        """Log in now (normally implicit). Raises LanAuthFailed/LanLocked, also without
        contacting the device while a backoff or the device's lockout lasts."""
        self._backoff.check()
        answer = (await self._post([login_command(self.username, self.password)], None))[0]
        if answer.get("code") != 0:
            raise self._backoff.failed(answer, self._where)
        old = self._token
        self._token, lease = token_of(answer)
        self._token_expires = self._clock() + lease
        self._backoff.succeeded()
        if old:
            await self._logout_token(old)

    async def _logout_token(self, token: str) -> None:
        with contextlib.suppress(LanError):  # best effort: the lease ends by itself
            await self._post([cmd("Logout")], token)

    async def _valid_token(self) -> str:
        if self._token is None or self._clock() >= self._token_expires - REFRESH_EARLY_SECONDS:
            await self.login()
        assert self._token is not None
        return self._token

    def forget_token(self) -> None:
        """The device dropped its tokens (it rebooted): log in again on the next call."""
        self._token = None

    async def call(self, commands: list[Command]) -> list[dict[str, Any]]:
        """Send commands in one request and return the answers (envelopes, in order),
        logging in first when needed and once more if the token was refused."""
        answers = await self._post(commands, await self._valid_token())
        if refused(answers):
            self._token = None
            answers = await self._post(commands, await self._valid_token())
            if refused(answers):
                raise LanAuthFailed("The device refused a fresh token.", command=commands[0]["cmd"])
        if len(answers) != len(commands):
            raise LanUnexpectedResponse(f"{len(commands)} commands sent, {len(answers)} answers received.")
        return answers

    async def close(self) -> None:
        """Log out (best effort) and close the connections."""
        try:
            if self._token:
                token, self._token = self._token, None
                await self._logout_token(token)
        finally:
            if self._session is not None:
                session, self._session = self._session, None
                await session.close()

    async def __aenter__(self) -> AsyncLanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reads ----------------------------------------------------------------------
    async def channel_count(self) -> int:
        info = value_of(self._where, (await self.call([cmd("GetDevInfo")]))[0]).get("DevInfo", {})
        try:
            return int(info["channelNum"])
        except (KeyError, TypeError, ValueError) as exc:
            raise LanUnexpectedResponse("GetDevInfo answered without channelNum.", command="GetDevInfo") from exc

    async def states(self, channels: Sequence[int] | None = None) -> list[ChannelState]:
        """Motion and AI state of ``channels`` (default: all) in ONE request."""
        if channels is None:
            channels = range(await self.channel_count())
        chosen = [check_channel(ch) for ch in channels]
        if not chosen:
            return []
        return parse_states(self._where, chosen, await self.call(states_batch(chosen)))
