"""UDP discovery: answer ``{"magic": 9774848}`` with each camera's uid, ip and port.

Real cameras each listen on UDP 2000 of their own address. The emulator has
one address for all of them, so a single responder answers one datagram per
exposed, online device. It binds a configurable port (never 2000 unless
asked: that needs the port free and is not what tests want).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable
from typing import Any

MAGIC = 9774848


class DiscoveryProtocol(asyncio.DatagramProtocol):
    def __init__(self, answers: Callable[[], Iterable[dict[str, Any]]]) -> None:
        self._answers = answers
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            probe = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return  # not for us: real cameras ignore stray traffic too
        if not isinstance(probe, dict) or probe.get("magic") != MAGIC or self.transport is None:
            return
        for answer in self._answers():
            self.transport.sendto(json.dumps(answer).encode(), addr)


async def start_discovery(
    host: str, port: int, answers: Callable[[], Iterable[dict[str, Any]]]
) -> tuple[asyncio.DatagramTransport, int]:
    """Bind the responder; returns the transport and the port actually bound."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: DiscoveryProtocol(answers), local_addr=(host, port), allow_broadcast=True
    )
    bound = transport.get_extra_info("sockname")[1]
    return transport, bound


async def discover(host: str, port: int, timeout: float = 0.5) -> list[dict[str, Any]]:
    """Client side (tests, tools): send one probe and collect answers until ``timeout``."""
    loop = asyncio.get_running_loop()
    answers: list[dict[str, Any]] = []

    class _Collector(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            with contextlib.suppress(UnicodeDecodeError, ValueError):
                answers.append(json.loads(data.decode("utf-8")))

    transport, _ = await loop.create_datagram_endpoint(_Collector, remote_addr=(host, port))
    try:
        transport.sendto(json.dumps({"magic": MAGIC}).encode())
        await asyncio.sleep(timeout)
    finally:
        transport.close()
    return answers
