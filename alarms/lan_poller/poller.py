"""The LAN poller process: one asyncio loop holding a task per leased device.

Every ``refresh`` seconds it renews its leases, claims unleased devices (a few at a
time, so pollers started together share them), reloads the settings of the devices it
owns, starts tasks for new ones, restarts those whose connection settings changed and
stops those it no longer owns. A writer flushes what the tasks found every ``flush``
seconds in one transaction. All database work runs on one worker thread (store.py),
never on the loop. SIGTERM/SIGINT stop it: tasks cancelled, sessions logged out, the
last batch written, leases released so another poller takes the devices at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeVar

from rop.addresses import AddressPolicy

from . import store
from .config import DeviceConfig
from .device import DeviceTask, Stats
from .store import Batch, Reach

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class PollerSettings:
    lease_seconds: float = 30.0
    refresh_seconds: float = 3.0  # leases renewed, devices and settings picked up
    flush_seconds: float = 0.5
    claim_batch: int = 200  # devices claimed per refresh: pollers started together share them
    max_devices: int = 2000
    concurrency: int = 200  # polls in flight at once
    health_seconds: float = 60.0


def poller_id() -> str:
    """Unique per process and readable in the Device row (host:pid:random)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LanPoller:
    def __init__(self, policy: AddressPolicy, settings: PollerSettings | None = None, ident: str | None = None) -> None:
        self.policy = policy
        self.settings = settings or PollerSettings()
        self.ident = ident or poller_id()
        self.tasks: dict[int, DeviceTask] = {}
        self.stats = Stats()
        self.batch = Batch()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lan-poller-db")
        self._stopping = asyncio.Event()
        self._limit: asyncio.Semaphore | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._unusable: dict[int, DeviceConfig] = {}  # leased, but their settings cannot be used

    async def _in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    def stop(self) -> None:
        self._stopping.set()

    async def run(self, run_seconds: float | None = None) -> None:
        """Poll until stop() (or SIGTERM/SIGINT), or for ``run_seconds``."""
        loop = asyncio.get_running_loop()
        self._limit = asyncio.Semaphore(self.settings.concurrency)
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Not possible off the main thread (tests run a poller on one): stop() instead.
            with contextlib.suppress(RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop)
        if run_seconds is not None:
            loop.call_later(run_seconds, self.stop)
        logger.info("LAN poller %s started", self.ident)
        helpers = [asyncio.create_task(self._writer()), asyncio.create_task(self._health())]
        try:
            while not self._stopping.is_set():
                try:
                    await self.refresh()
                except Exception:  # a database hiccup must not end the poller; the leases outlast it
                    logger.exception("LAN poller %s: refresh failed", self.ident)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.settings.refresh_seconds)
        finally:
            await self._shutdown(helpers)

    async def refresh(self) -> None:
        room = self.settings.max_devices - len(self.tasks)
        lease = timedelta(seconds=self.settings.lease_seconds)
        configs = await self._in_db(store.sync_leases, self.ident, lease, min(self.settings.claim_batch, room))
        for device_id in set(self.tasks) - set(configs):
            logger.info("LAN poller %s: no longer owns device %s", self.ident, self.tasks[device_id].config.uid)
            self._retire(self.tasks.pop(device_id))
        for device_id, config in configs.items():
            if self._unusable.get(device_id) == config:
                continue  # unchanged since it was found unusable
            task = self.tasks.get(device_id)
            if task is not None and not config.cert_sha256 and task.config.cert_sha256:
                config = replace(config, cert_sha256=task.config.cert_sha256)  # learnt, not flushed yet
            if task is None:
                self._start(config)
            elif config.connection() != task.config.connection():
                self._retire(self.tasks.pop(device_id))
                self._start(config)
            elif config != task.config:
                task.reconfigure(config)

    def _retire(self, task: DeviceTask) -> None:
        """Stop a device's task and log its session out in the background: a refresh
        (and so the lease renewal) never waits for a device's logout."""
        stopping = asyncio.create_task(task.stop())
        self._retiring.add(stopping)
        stopping.add_done_callback(self._retiring.discard)

    def _start(self, config: DeviceConfig) -> None:
        assert self._limit is not None
        try:
            task = DeviceTask(config, self.policy, lambda: self.batch, self._limit, self.stats)
        except ValueError as exc:  # a row no form would save (port 0, a malformed pin): skip it alone
            if config.id not in self._unusable:
                logger.warning("LAN poller %s: cannot poll device %s: %s", self.ident, config.uid, exc)
                self.batch.reach[config.id] = Reach(online=False, error="lan_settings_invalid", seen=False)
            self._unusable[config.id] = config
            return
        self._unusable.pop(config.id, None)
        self.tasks[config.id] = task
        task.start()

    async def flush(self) -> None:
        batch, self.batch = self.batch, Batch()
        if batch:
            await self._in_db(store.write, batch)

    async def _writer(self) -> None:
        while True:
            await asyncio.sleep(self.settings.flush_seconds)
            try:
                await self.flush()
            except Exception:
                logger.exception("LAN poller %s: writing a batch failed", self.ident)

    async def _health(self) -> None:
        last_polls, last_errors = 0, 0
        while True:
            await asyncio.sleep(self.settings.health_seconds)
            logger.info(
                "LAN poller %s: %d devices owned, %d polls and %d errors in the last %.0f s",
                self.ident,
                len(self.tasks),
                self.stats.polls - last_polls,
                self.stats.errors - last_errors,
                self.settings.health_seconds,
            )
            last_polls, last_errors = self.stats.polls, self.stats.errors

    async def _shutdown(self, helpers: list[asyncio.Task[None]]) -> None:
        started = time.monotonic()
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        tasks, self.tasks = self.tasks, {}
        await asyncio.gather(*(task.stop() for task in tasks.values()), *self._retiring, return_exceptions=True)
        try:
            await self.flush()
        finally:
            try:
                released = await self._in_db(store.release, self.ident, None)
            finally:
                await self._in_db(store.close)
                self._db.shutdown(wait=True)
        logger.info(
            "LAN poller %s stopped in %.1f s: %d leases released", self.ident, time.monotonic() - started, released
        )
