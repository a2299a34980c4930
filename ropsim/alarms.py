"""Alarm webhook delivery.

Subscribed to ``Fleet.alarm_listeners``: every alarm of a device whose alarm
notification is enabled is POSTed to the callback URL with the spec's body,
``?authcode=CODE`` appended and ``Authorization: Bearer CODE``. A failing
receiver is retried with exponential backoff, a bounded number of times.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp

if TYPE_CHECKING:
    from ropsim.sim import Simulator

ALARM_STATUSES = ("none", "MD", "videoLoss", "blind", "IOAlarm")
AI_TYPES = ("none", "people", "vehicle", "face", "other", "dog_cat")
MAX_RETRY_DELAY_S = 60.0


def webhook_url(callback_url: str, authcode: str | None) -> str:
    if not authcode:
        return callback_url
    parts = urlsplit(callback_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "authcode"]
    query.append(("authcode", authcode))
    return urlunsplit(parts._replace(query=urlencode(query)))


def alarm_body(uid: str, channel: int, status: str, ai_types: list[str]) -> dict[str, str]:
    return {
        "uid": uid,
        "channelId": str(channel),
        "status": status,
        "AItpe": ",".join(ai_types) if ai_types else "none",  # "AItpe" is the spec's spelling
    }


class AlarmDispatcher:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.loop: asyncio.AbstractEventLoop | None = None
        self.session: aiohttp.ClientSession | None = None
        self.stats: dict[str, int] = collections.Counter(
            raised=0,
            suppressed=0,
            not_sent=0,
            queued=0,
            delivered=0,
            attempts=0,
            failed_attempts=0,
            retries=0,
            gave_up=0,
            in_flight=0,
        )
        self.recent: collections.deque[dict[str, Any]] = collections.deque(maxlen=200)
        self._tasks: set[asyncio.Task[None]] = set()
        self._limit = asyncio.Semaphore(64)  # bound concurrent webhook POSTs

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.session is not None:
            await self.session.close()

    # Listener signature shared with the LAN emulator: (uid, channel, status, ai_types).
    def on_alarm(self, uid: str, channel: int, status: str, ai_types: list[str]) -> None:
        self.stats["raised"] += 1
        dev = self.sim.fleet.devices.get(uid)
        if dev is None or not dev.alarm_enabled:
            self.stats["suppressed"] += 1  # notification switched off: nothing leaves the server
            return
        if not self.sim.config.callback_url or self.loop is None:
            self.stats["not_sent"] += 1
            return
        body = alarm_body(uid, channel, status, ai_types)
        self.stats["queued"] += 1
        # Alarms may be raised from another thread (a test, the LAN side): hop onto our loop.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._spawn(body)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._spawn, body)

    def _spawn(self, body: dict[str, str]) -> None:
        task = asyncio.ensure_future(self._deliver(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, body: dict[str, str]) -> None:
        cfg = self.sim.config
        url = webhook_url(cfg.callback_url or "", cfg.authcode)
        headers = {"Authorization": f"Bearer {cfg.authcode}"} if cfg.authcode else {}
        record: dict[str, Any] = {"body": body, "attempts": 0, "result": "pending", "statuses": []}
        self.recent.append(record)
        self.stats["in_flight"] += 1
        try:
            for attempt in range(max(1, cfg.alarm_max_attempts)):
                if attempt:
                    self.stats["retries"] += 1
                    await asyncio.sleep(min(MAX_RETRY_DELAY_S, cfg.alarm_retry_base * 2 ** (attempt - 1)))
                record["attempts"] += 1
                self.stats["attempts"] += 1
                status = await self._post(url, headers, body)
                record["statuses"].append(status)
                if isinstance(status, int) and 200 <= status < 300:
                    self.stats["delivered"] += 1
                    record["result"] = "delivered"
                    return
                self.stats["failed_attempts"] += 1
            self.stats["gave_up"] += 1
            record["result"] = "gave_up"
        finally:
            self.stats["in_flight"] -= 1

    async def _post(self, url: str, headers: dict[str, str], body: dict[str, str]) -> int | str:
        assert self.session is not None
        async with self._limit:
            try:
                async with self.session.post(url, json=body, headers=headers) as resp:
                    await resp.read()
                    return resp.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                return type(exc).__name__

    def snapshot(self) -> dict[str, Any]:
        return {"stats": dict(self.stats), "recent": list(self.recent)[-50:]}
