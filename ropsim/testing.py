"""Run the simulator inside the current process (pytest fixtures, the Django side).

    from ropsim.config import SimConfig
    from ropsim.testing import start_in_thread

    with start_in_thread(SimConfig(devices=20, seed=7)) as running:
        requests.get(running.base_url + "/v1.0/devices")
        running.sim.fleet.devices            # the live state
        requests.post(running.control_url + "/devices/<uid>/offline")

The aiohttp app runs on its own event loop in a daemon thread, bound to a free
port of 127.0.0.1 unless ``config.port`` says otherwise.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ropsim.config import SimConfig
from ropsim.server import create_app
from ropsim.sim import Simulator

__all__ = ["RunningSim", "SimConfig", "start_in_thread"]


@dataclass
class RunningSim:
    sim: Simulator
    host: str
    port: int
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    _runner: web.AppRunner = field(repr=False)
    _stopped: bool = False

    @property
    def base_url(self) -> str:
        """Root of the ROP HTTP API, e.g. http://127.0.0.1:PORT (paths start with /v1.0)."""
        return f"http://{self.host}:{self.port}"

    @property
    def control_url(self) -> str:
        """Root of the control API, e.g. http://127.0.0.1:PORT/_sim."""
        return f"{self.base_url}/_sim"

    @property
    def lan_endpoints(self) -> list[dict[str, Any]]:
        """Devices exposed on the LAN emulator: dicts with uid, host, port, url, username, password."""
        return self.sim.lan_endpoints

    @property
    def config(self) -> SimConfig:
        return self.sim.config

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the simulator's loop and return its result (thread-safe state edits)."""

        async def _run() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(_run(), self.loop).result(timeout=30)

    def list_extra_items(self, *items: dict[str, Any]) -> None:
        """Make GET /v1.0/devices also list `items` exactly as given (e.g. a UID the
        simulator's own devices could never have), beside the fleet's devices."""
        self.call(self.sim.list_extra_items, list(items))

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if not self.loop.is_closed():
            fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop)
            try:
                fut.result(timeout=15)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=15)
        self.sim.close()

    def __enter__(self) -> RunningSim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(config: SimConfig | None = None, *, timeout: float = 30.0) -> RunningSim:
    config = config or SimConfig()
    sim = Simulator(config)
    loop = asyncio.new_event_loop()
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def _start() -> None:
        app = create_app(sim)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        started["runner"] = runner
        started["port"] = runner.addresses[0][1]  # the bound port (config.port may be 0)

    def _main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_start())
        except BaseException as exc:  # reported to the caller below
            started["error"] = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    thread = threading.Thread(target=_main, name="ropsim", daemon=True)
    thread.start()
    if not ready.wait(timeout):
        raise TimeoutError("ropsim did not start in time")
    if "error" in started:
        sim.close()
        raise RuntimeError(f"ropsim failed to start: {started['error']!r}") from started["error"]
    return RunningSim(
        sim=sim, host=config.host, port=started["port"], loop=loop, thread=thread, _runner=started["runner"]
    )
