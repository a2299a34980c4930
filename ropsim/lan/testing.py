"""Run the LAN emulator on a background thread, for synchronous callers.

Tests that talk to the emulator with blocking clients (requests, Django's
test client calling a poller) need its event loop elsewhere::

    with LanThread(fleet) as lan:
        requests.post(lan.endpoint(uid).url, params={"cmd": "Login"}, json=[...])

The fleet may be changed from the calling thread between requests (raise an
alarm, set a device offline, advance its clock): the emulator only reads it
while answering.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from .server import LanEndpoint, LanServers, start_lan_servers
from .state import DeviceLanState

T = TypeVar("T")


class LanThread:
    def __init__(self, fleet: Any, **kwargs: Any) -> None:
        """``kwargs`` go to start_lan_servers (uids, port_base, password, options, ...)."""
        self.fleet = fleet
        self._kwargs = kwargs
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ropsim-lan", daemon=True)
        self.servers: LanServers | None = None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the emulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> LanThread:
        self._thread.start()
        try:
            self.servers = self.run(start_lan_servers(self.fleet, **self._kwargs))
        except BaseException:
            self.stop()  # do not leave the loop thread behind
            raise
        return self

    def stop(self) -> None:
        if self.servers is not None:
            self.run(self.servers.close())
            self.servers = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> LanThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def endpoint(self, uid: str) -> LanEndpoint:
        assert self.servers is not None
        return self.servers.endpoint(uid)

    def rotate_certificate(self, uid: str) -> str:
        """LanServers.rotate_certificate, run on the emulator's loop (HTTPS only)."""
        assert self.servers is not None
        servers = self.servers

        async def rotate() -> str:
            return servers.rotate_certificate(uid)

        return self.run(rotate())

    def state(self, uid: str) -> DeviceLanState:
        assert self.servers is not None
        return self.servers.state[uid]
