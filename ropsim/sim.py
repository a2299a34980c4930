"""Simulator: the whole simulated Core Server state behind the HTTP routes.

Routes validate input and shape answers; everything stateful — devices,
sessions, firmware, faults, counters — lives here so tests (``RunningSim.sim``)
and the LAN emulator can look at and steer one object.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import math
import random
import secrets
import string
import uuid
from collections import defaultdict
from typing import Any

from ropsim import states
from ropsim.alarms import AlarmDispatcher
from ropsim.clock import Clock
from ropsim.config import SimConfig
from ropsim.errors import RopError
from ropsim.firmware_store import FirmwareStore
from ropsim.fleet import Fleet, SimDevice, UpgradeState
from ropsim.injection import Injection
from ropsim.ratelimit import RateLimiter
from ropsim.scheduler import Scheduler
from ropsim.sessions import InitSession, PlaySession, ScanSession, UpgradeSession

_ALNUM = string.ascii_letters + string.digits

# Injected failures of device calls and their weights (documented in docs/ropsim.md).
INJECTED_ERRORS: tuple[tuple[str, int], ...] = (("cmd_timeout", 2), ("cmd_exec_error", 1), ("server_internal_error", 1))
_INJECTED_SYMBOLS = [symbol for symbol, _ in INJECTED_ERRORS]
_INJECTED_WEIGHTS = [weight for _, weight in INJECTED_ERRORS]

UPGRADE_OUTCOMES = (
    "upgrade_success",
    "same_version",
    "file_check_failed",
    "out_of_memory",
    "low_battery",
    "unknown_error",
    "failed",
)


class Simulator:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.clock: Clock = config.clock or Clock()
        self.fleet = Fleet.generate(
            config.devices,
            seed=config.seed,
            clock=self.clock,
            model=config.fleet_model,
            stay_awake_s=config.stay_awake_seconds,
        )
        self.rng = random.Random(f"ropsim-faults:{config.seed}")
        self.scheduler = Scheduler(self.clock)
        # The LAN emulator serves the first devices: they keep the generator's plain state.
        states.apply(config, self.fleet, self.scheduler, exclude=config.lan_devices)
        self.firmware = FirmwareStore(config.data_dir)
        self.limiter = RateLimiter(config.rate_limit)
        self.init_sessions: dict[str, InitSession] = {}
        self.upgrade_sessions: dict[str, UpgradeSession] = {}
        self.scan_sessions: dict[str, ScanSession] = {}
        self.play_sessions: dict[str, PlaySession] = {}
        self.snaps_in_progress: set[tuple[str, int]] = set()
        self.scan_outcome: str | None = None  # forced WiFi scan result (control API)
        self.injections: list[Injection] = []  # canned answers queued by POST /_sim/inject
        self.counters: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.lan_endpoints: list[dict[str, Any]] = []
        self._play_secret = hashlib.sha256(f"ropsim-rtsp:{config.seed}".encode()).digest()
        self.ca_hash = base64.b64encode(hashlib.sha256(f"ropsim-ca:{config.seed}".encode()).digest()).decode()
        self._list_cache: tuple[int, int, bytes] | None = None
        # Entries listed as they are, beside the fleet's devices: odd items a real Core
        # Server was seen to list (a UID of 17 characters, one with a "/"), for tests.
        self.extra_list_items: list[dict[str, Any]] = []
        self._flaky: set[str] = set()
        self._last_alarm_tick = self.clock.now()
        self.alarms = AlarmDispatcher(self)
        self.fleet.alarm_listeners.append(self.alarms.on_alarm)
        self.start_flaky(initial=True)

    # -- time ---------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def tick(self) -> None:
        """Apply every timed change that is due (called per request and by the ticker)."""
        self.scheduler.run_due()

    def random_alarm_tick(self) -> None:
        now = self.now()
        dt, self._last_alarm_tick = now - self._last_alarm_tick, now
        rate = self.config.alarm_rate
        if rate <= 0 or dt <= 0 or not self.fleet.devices:
            return
        expected = len(self.fleet.devices) * rate / 3600.0 * dt
        # Poisson draw, capped so a big clock jump does not unleash a storm.
        count = min(_poisson(self.rng, expected), 100)
        devices = list(self.fleet.devices.values())
        for _ in range(count):
            dev = self.rng.choice(devices)
            if dev.online and not (dev.model.battery and not dev.pir.enabled):
                self.raise_random_alarm(dev)

    def raise_random_alarm(self, dev: SimDevice) -> None:
        channel = self.rng.randrange(dev.model.channels)
        types: list[str] = []
        if dev.model.ai:
            types = self.rng.sample(["people", "vehicle", "dog_cat", "face"], k=self.rng.choice([0, 1, 1, 2]))
        self.fleet.raise_alarm(dev.uid, channel, "MD", types)

    # -- GET /v1.0/devices, cached as bytes (10k devices) -------------------------------
    def online_list_json(self) -> bytes:
        key = (self.fleet.generation, len(self.fleet.devices))
        if self._list_cache and self._list_cache[:2] == key:
            return self._list_cache[2]
        items = [
            {"uid": d.uid, "family": d.model.family, "model": d.model.name, "firmware": d.firmware}
            for d in self.fleet.devices.values()
            if d.online
        ] + self.extra_list_items
        body = json.dumps({"totalRows": len(items), "items": items}, separators=(",", ":")).encode()
        self._list_cache = (*key, body)
        return body

    def list_extra_items(self, items: list[dict[str, Any]]) -> None:
        """List `items` as they are in GET /v1.0/devices from now on (see extra_list_items)."""
        self.extra_list_items.extend(items)
        self._list_cache = None

    # -- the path every device call takes --------------------------------------------------
    async def device_call(
        self, uid: str, *, capability: str | None = None, channel: int | None = None, needs_sd: bool = False
    ) -> SimDevice:
        """Reach a device like the Core Server does; raises the symbol a real call would get.

        Order: connected? -> model can do it? -> channel exists? -> wake a sleeping battery
        camera -> network latency -> injected faults.
        """
        dev = self.fleet.get(uid)
        if dev is None or not dev.online:
            # The Core Server only knows devices connected to it: unknown == offline.
            raise RopError("device_offline")
        if capability is not None and not getattr(dev.model, capability):
            raise RopError("cmd_not_support")
        if needs_sd and not dev.has_recordings:
            raise RopError("cmd_not_support", "The device has no SD card")
        if channel is not None and not dev.model.supports_channel(channel):
            raise RopError("device_channel_not_found")
        now = self.now()
        wake_failure_rate = self.config.wake_failure_rate if dev.wake_failure_rate is None else dev.wake_failure_rate
        if dev.sleeping and self.rng.random() < wake_failure_rate:
            raise RopError("wake_up_timeout")
        dev.wake(now, self.config.stay_awake_seconds)
        await self.network_delay(dev)
        if self.config.error_rate > 0 and self.rng.random() < self.config.error_rate:
            raise RopError(self.rng.choices(_INJECTED_SYMBOLS, _INJECTED_WEIGHTS)[0])
        if not dev.online:  # it may have dropped while we waited
            raise RopError("device_offline")
        return dev

    async def network_delay(self, dev: SimDevice) -> None:
        base = self.config.latency_ms if dev.latency_ms is None else dev.latency_ms
        jitter = self.config.jitter_ms
        if base <= 0 and jitter <= 0:
            return
        delay = max(0.0, base + self.rng.uniform(-jitter, jitter)) / 1000.0
        if delay:
            await asyncio.sleep(delay)

    # -- initialization sessions ------------------------------------------------------------
    def create_init_session(self, uid: str) -> InitSession:
        now = self.now()
        code = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(21))
        session = InitSession(uid=uid, code=code, created_at=now, expires_at=now + 60.0)
        self.init_sessions[uid] = session
        return session

    def redeem_init_code(self, uid: str, code: str, model: str | None = None) -> SimDevice | None:
        """For the LAN side: a camera presents the code; on success it joins the fleet (if new)."""
        session = self.init_sessions.get(uid)
        if session is None or session.used or session.code != code or self.now() > session.expires_at:
            return None
        session.used = True
        dev = self.fleet.devices.get(uid)
        if dev is None:
            dev = self.fleet.create_device(model=model, uid=uid)
        return dev

    # -- upgrades ------------------------------------------------------------------------------
    def active_upgrades(self) -> int:
        return sum(1 for s in self.upgrade_sessions.values() if s.status == "upgrading")

    def decide_upgrade_outcome(self, dev: SimDevice, file_name: str) -> str:
        fw = self.firmware.files[file_name]
        if dev.upgrade_outcome:
            return dev.upgrade_outcome
        if not dev.model.matches_image(file_name):
            return "file_check_failed"
        if dev.model.version_of_image(file_name, fw.sha256) == dev.firmware:
            return "same_version"
        if dev.model.battery and (dev.battery_percent or 0.0) < self.config.low_battery_threshold:
            return "low_battery"
        roll = self.rng.random()
        if roll < self.config.out_of_memory_rate:
            return "out_of_memory"
        if roll < self.config.out_of_memory_rate + self.config.unknown_error_rate:
            return "unknown_error"
        return "upgrade_success"

    def upgrade_duration(self, dev: SimDevice) -> float:
        """The model's upgrade time (--model-upgrade-seconds, else --upgrade-seconds), spread
        by --upgrade-spread (drawn only when set: seeded runs without it stay as they were)."""
        base = self.config.upgrade_seconds
        for entry in self.config.model_upgrade_seconds.split(","):
            name, _, seconds = entry.rpartition("=")
            if name.strip() == dev.model.name and seconds.strip():
                base = float(seconds)
        if self.config.upgrade_spread > 0:
            base *= math.exp(self.rng.gauss(0.0, self.config.upgrade_spread))
        return max(0.0, base)

    def create_upgrade_session(self, dev: SimDevice, file_name: str, factory_reset: bool) -> UpgradeSession:
        if dev.upgrade is not None and dev.upgrade.status == "upgrading":
            raise RopError("duplicate_upgrade")
        if self.active_upgrades() >= self.config.upgrade_session_limit:
            raise RopError("up_to_upgrade_session_limit")
        now = self.now()
        outcome = self.decide_upgrade_outcome(dev, file_name)
        duration = self.upgrade_duration(dev)
        # A failed check is known early; a real install runs the whole time and reboots.
        resolves = now + (duration if outcome == "upgrade_success" else duration * 0.25)
        ttl = min(3600, max(60, int(self.config.upgrade_session_ttl)))
        session = UpgradeSession(
            session_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            uid=dev.uid,
            file_name=file_name,
            factory_reset=factory_reset,
            created_at=now,
            expires_at=now + ttl,
            outcome=outcome,
            resolves_at=resolves,
        )
        self.upgrade_sessions[session.session_id] = session
        dev.upgrade = UpgradeState(session.session_id, file_name, now)
        dev.upgrade_outcome = None  # a forced outcome applies to one upgrade
        if outcome == "upgrade_success":
            self.scheduler.at(now + duration / 2, lambda: self._reboot_starts(session))
        self.scheduler.at(resolves, lambda: self._finish_upgrade(session))
        return session

    def _reboot_starts(self, session: UpgradeSession) -> None:
        if session.uid in self.fleet.devices:
            self.fleet.set_offline(session.uid, "reboot")

    def _finish_upgrade(self, session: UpgradeSession) -> None:
        session.status = session.outcome
        dev = self.fleet.devices.get(session.uid)
        if dev is None:
            return
        if dev.upgrade is not None and dev.upgrade.session_id == session.session_id:
            dev.upgrade.status = session.outcome
        if session.outcome == "upgrade_success":
            fw = self.firmware.files.get(session.file_name)
            sha = fw.sha256 if fw else ""
            dev.firmware = dev.model.version_of_image(session.file_name, sha)
            dev.firmware_file = session.file_name
            if session.factory_reset:
                dev.reset_to_factory()
            self.fleet.set_online(dev.uid, "reboot")

    def upgrade_session(self, uid: str, session_id: str) -> UpgradeSession:
        return _live_session(self.upgrade_sessions, uid, session_id, self.now())

    # -- WiFi scan sessions -----------------------------------------------------------------
    def new_session_id(self) -> str:
        return "".join(self.rng.choice(_ALNUM) for _ in range(32))

    def scan_session(self, uid: str, session_id: str) -> ScanSession:
        return _live_session(self.scan_sessions, uid, session_id, self.now())

    # -- play sessions (rtsp:// URLs carrying a signature) ----------------------------------------
    def create_play_session(
        self, dev: SimDevice, channel: int, kind: str, stream_type: str | None, file_name: str | None
    ) -> PlaySession:
        now = self.now()
        ttl = self.config.live_url_ttl
        sid = str(self.rng.randrange(10000, 100000))
        expires = now + ttl
        msg = f"{dev.uid}/{sid}/{channel}/{kind}/{stream_type or file_name}/{int(expires)}".encode()
        digest = hmac.new(self._play_secret, msg, hashlib.sha256).digest()
        # playURL may hold letters, digits and underscores only: base64 without + and /.
        sig = base64.b64encode(digest, altchars=b"__").decode().rstrip("=")[:32]
        url = f"rtsp://{self.config.public()}:{self.config.rtsp_port}/v1.0/videos/{dev.uid}/{sid}/{sig}"
        session = PlaySession(sid + sig, dev.uid, channel, kind, stream_type, file_name, url, now, expires)
        self.play_sessions[session.session_id] = session
        # Forget expired URLs so the table does not grow forever.
        if len(self.play_sessions) > 10000:
            for key in [k for k, s in self.play_sessions.items() if s.expires_at < now]:
                del self.play_sessions[key]
        return session

    def check_play_url(self, url: str) -> PlaySession | None:
        """Whether an rtsp:// URL was issued here and is still valid (for an RTSP stub)."""
        parts = url.rstrip("/").split("/")
        if len(parts) < 3:
            return None
        session = self.play_sessions.get(parts[-2] + parts[-1])
        if session is None or session.url != url or self.now() >= session.expires_at:
            return None
        return session

    # -- random outages (--offline-rate) -----------------------------------------------------
    def start_flaky(self, initial: bool = False) -> None:
        """Arm random outages for devices not yet armed (no-op while --offline-rate is 0)."""
        if self.config.offline_rate <= 0:
            return
        for uid in list(self.fleet.devices):
            if uid in self._flaky:
                continue
            self._flaky.add(uid)
            if initial and self.rng.random() < self.config.offline_rate:
                self.fleet.set_offline(uid, "flaky")
                self.scheduler.after(self._outage_length(), functools.partial(self._flaky_return, uid))
            else:
                self.scheduler.after(self._time_to_outage(), functools.partial(self._flaky_drop, uid))

    def _outage_length(self) -> float:
        return self.rng.expovariate(1.0 / max(0.001, self.config.offline_mean_seconds))

    def _time_to_outage(self) -> float:
        p = min(0.99, max(0.0, self.config.offline_rate))
        if p <= 0:
            return math.inf
        # Steady state: offline fraction p = rate_down / (rate_down + 1/mean_outage).
        rate_down = p / ((1 - p) * max(0.001, self.config.offline_mean_seconds))
        return self.rng.expovariate(rate_down)

    def _flaky_drop(self, uid: str) -> None:
        if uid not in self.fleet.devices:
            self._flaky.discard(uid)
            return
        if self.config.offline_rate <= 0:
            self._flaky.discard(uid)  # re-armed if the rate goes up again
            return
        self.fleet.set_offline(uid, "flaky")
        self.scheduler.after(self._outage_length(), lambda: self._flaky_return(uid))

    def _flaky_return(self, uid: str) -> None:
        if uid not in self.fleet.devices:
            self._flaky.discard(uid)
            return
        self.fleet.set_online(uid, "flaky")
        wait = self._time_to_outage()
        if math.isinf(wait):
            self._flaky.discard(uid)
        else:
            self.scheduler.after(wait, lambda: self._flaky_drop(uid))

    # -- counters ------------------------------------------------------------------------------
    def count(self, key: str, status: int) -> None:
        entry = self.counters[key]
        entry["count"] += 1
        entry[str(status)] += 1

    def counters_snapshot(self) -> dict[str, dict[str, int]]:
        return {k: dict(v) for k, v in sorted(self.counters.items())}

    def close(self) -> None:
        self.firmware.close()


def _live_session[S: UpgradeSession | ScanSession](table: dict[str, S], uid: str, session_id: str, now: float) -> S:
    """A session of this device that has not expired (expired ones are forgotten), else session_not_found."""
    session = table.get(session_id)
    if session is None or session.uid != uid:
        raise RopError("session_not_found")
    if now >= session.expires_at:
        del table[session_id]
        raise RopError("session_not_found")
    return session


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:  # normal approximation is plenty for alarm storms
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
