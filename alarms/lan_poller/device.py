"""One device's polling task: its own session (AsyncLanClient), its own interval, and
its own backoff, so a slow or offline device never delays another one."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import replace

from django.utils import timezone

from rop.addresses import AddressPolicy
from rop.errors import AddressRefused
from rop.lan.aio import AsyncLanClient
from rop.lan.errors import CertificateChanged, LanAuthFailed, LanError, LanTimeout, LanUnreachable

from .changes import ChannelMemory
from .config import DeviceConfig
from .store import Batch, Reach

logger = logging.getLogger(__name__)

# Failures in a row before a device is shown offline (one lost answer is not an outage).
OFFLINE_AFTER = 2
# An unreachable device is retried at its interval, doubling up to this.
MAX_BACKOFF_SECONDS = 60.0
# A refused login waits for the client's own backoff, at most this long between checks.
MAX_AUTH_WAIT_SECONDS = 300.0
# A reachable device's last_seen is written this often, not at every poll.
LAST_SEEN_EVERY_SECONDS = 60.0
# How long a stop waits for one device's logout.
CLOSE_TIMEOUT_SECONDS = 2.0


class Stats:
    def __init__(self) -> None:
        self.polls = 0
        self.errors = 0


class DeviceTask:
    """Polls one device until cancelled. ``batch()`` returns the batch being filled
    (the poller swaps it at each flush); ``limit`` bounds polls in flight."""

    def __init__(
        self,
        config: DeviceConfig,
        policy: AddressPolicy,
        batch: Callable[[], Batch],
        limit: asyncio.Semaphore,
        stats: Stats,
    ) -> None:
        self.config = config
        self._batch = batch
        self._limit = limit
        self._stats = stats
        self.channels = {ch.index: ChannelMemory.from_config(ch) for ch in config.channels}
        self.client = AsyncLanClient(
            config.host,
            config.port,
            "https" if config.https else "http",
            config.username,
            config.password,
            timeout=config.timeout,
            address_policy=policy,
            pinned_sha256=config.cert_sha256 or None,
        )
        self.online = config.online
        self.failures = 0
        self._last_seen_written = -LAST_SEEN_EVERY_SECONDS
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=f"lan-poll-{self.config.uid}")

    def reconfigure(self, config: DeviceConfig) -> None:
        """New interval or channel settings (same connection): applied from the next poll."""
        for ch in config.channels:
            memory = self.channels.get(ch.index)
            if memory is None:
                self.channels[ch.index] = ChannelMemory.from_config(ch)
            else:
                memory.ai_limit = ch.ai_limit
        for index in set(self.channels) - {ch.index for ch in config.channels}:
            del self.channels[index]
        self.config = config

    async def stop(self) -> None:
        """Cancel the task and log out (bounded: a dead device cannot hold the stop)."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        try:
            await asyncio.wait_for(self.client.close(), CLOSE_TIMEOUT_SECONDS)
        except (TimeoutError, LanError, OSError):
            logger.debug("logout from %s did not complete", self.config.uid)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        # Spread the first polls over one interval, so 500 devices do not all poll at once.
        await asyncio.sleep(random.uniform(0, self.config.interval))  # noqa: S311 - not security
        next_at = loop.time()
        while True:
            wait = await self.poll_once()
            now = loop.time()
            if wait is None:  # polled: keep the device's own cadence, start to start
                next_at += self.config.interval
                if next_at < now:
                    next_at = now  # late (the loop was busy): poll now, do not burst to catch up
            else:
                next_at = now + wait
            await asyncio.sleep(max(0.0, next_at - now))

    async def poll_once(self) -> float | None:
        """One poll; None when it succeeded, else how long to wait before the next."""
        config = self.config
        async with self._limit:
            try:
                states = await self.client.states(config.channel_indexes())
            except CertificateChanged as exc:
                logger.warning("%s: %s Not polled until the new certificate is trusted.", config.uid, exc)
                return self._failed("certificate_changed", MAX_AUTH_WAIT_SECONDS, at_once=True)
            except LanAuthFailed as exc:
                logger.warning("%s: %s", config.uid, exc.message)
                wait = min(max(exc.retry_after, config.interval), MAX_AUTH_WAIT_SECONDS)
                return self._failed("lan_auth_failed", wait, at_once=True)
            except AddressRefused as exc:
                logger.warning("%s: %s", config.uid, exc)
                return self._failed("address_refused", MAX_AUTH_WAIT_SECONDS, at_once=True)
            except LanTimeout:
                return self._failed("lan_timeout", self._backoff())
            except LanUnreachable:
                return self._failed("lan_unreachable", self._backoff())
            except LanError as exc:
                logger.info("%s: %s", config.uid, exc.message)
                return self._failed("lan_error", self._backoff())
            except Exception:  # a bug or a surprise: this device backs off, the task and the others go on
                logger.exception("%s: polling failed", config.uid)
                return self._failed("lan_error", self._backoff())
        self._stats.polls += 1
        self._succeeded()
        at = timezone.now()
        batch = self._batch()
        for state in states:
            memory = self.channels.get(state.channel)
            if memory is None:
                continue
            change = memory.observe(state)
            if change is not None:
                batch.changes.append((config, change, at))
        return None

    def _backoff(self) -> float:
        return min(self.config.interval * 2.0 ** max(0, self.failures - 1), MAX_BACKOFF_SECONDS)

    def _failed(self, error: str, wait: float, *, at_once: bool = False) -> float:
        self._stats.errors += 1
        self.failures += 1
        if self.online and (at_once or self.failures >= OFFLINE_AFTER):
            self.online = False
            self._batch().reach[self.config.id] = Reach(online=False, error=error, seen=False)
        return wait

    def _succeeded(self) -> None:
        self.failures = 0
        loop_now = asyncio.get_running_loop().time()
        batch = self._batch()
        if not self.online or loop_now - self._last_seen_written >= LAST_SEEN_EVERY_SECONDS:
            self.online = True
            self._last_seen_written = loop_now
            batch.reach[self.config.id] = Reach(online=True, error="", seen=True)
        pin = self.client.certificate_sha256
        if self.config.https and pin and not self.config.cert_sha256:
            batch.pins[self.config.id] = pin
            self.config = replace(self.config, cert_sha256=pin)
