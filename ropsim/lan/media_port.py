"""A stand-in for the cameras' Baichuan "media port" (TCP 9000).

Real cameras also speak Reolink's binary Baichuan protocol on the port that
GetNetPort reports as ``mediaPort``. reolink-aio reads that field and tries
Baichuan there for extra capabilities; if nothing listens it races a TCP
attempt against a UDP one and the UDP side waits 3 x 30 s before giving up,
which would make every emulated get_host_data() take 90 s.

The emulator does not implement Baichuan. This listener accepts the TCP
connection (so the client settles on TCP and drops its UDP attempt) and
closes it as soon as the first message arrives: the client sees "connection
lost" at once, treats Baichuan as unavailable and carries on over HTTP. One
listener serves every emulated device of a group.
"""

from __future__ import annotations

import asyncio

IDLE_CLOSE_SECONDS = 5.0


class _RefuseAfterHello(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        # Do not keep idle sockets around if the client never speaks.
        self._timer = asyncio.get_running_loop().call_later(IDLE_CLOSE_SECONDS, transport.close)

    def data_received(self, data: bytes) -> None:
        # Closing only now (not on connect) lets the client register its
        # pending reply first, so it fails fast instead of timing out.
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._timer.cancel()


async def start_media_port(host: str) -> tuple[asyncio.Server, int]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_RefuseAfterHello, host, 0)
    return server, server.sockets[0].getsockname()[1]
