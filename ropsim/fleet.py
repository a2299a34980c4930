"""The simulated fleet: devices, their mutable state, and alarm fan-out.

Deterministic from the seed: the same ``(count, seed)`` always yields the same
UIDs, models, names, firmware and settings, so tests and demos can name devices.
Time-dependent state (battery, sleep) is integrated lazily from the injected
``Clock`` when read, so a test can jump hours ahead without any sleeping.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from ropsim.clock import Clock
from ropsim.models import CATALOGUE, MODEL_WEIGHTS, SHIPPED_BUILDS, ModelSpec, get_model
from ropsim.recordings import AlarmFootage

UID_RE = re.compile(r"^[A-Z0-9]{16}$")
_UID_ALPHABET = string.ascii_uppercase + string.digits

# callable(uid, channel, status, ai_types) — status is "MD", "videoLoss", "blind", "IOAlarm" or "none";
# ai_types a list drawn from "people", "vehicle", "face", "dog_cat", "other" (empty = none).
AlarmListener = Callable[[str, int, str, list[str]], None]

_PLACES = [
    "Front Door",
    "Backyard",
    "Garage",
    "Driveway",
    "Porch",
    "Side Gate",
    "Garden",
    "Shed",
    "Lobby",
    "Warehouse",
    "Loading Dock",
    "Parking Lot",
    "Office",
    "Hallway",
    "Pool",
    "Barn",
    "Entrance",
    "Stairs",
    "Roof",
    "Kitchen",
    "Basement",
    "Patio",
    "Fence",
    "Yard",
]
_HOME_SSIDS = ["NETGEAR36", "Reolink", "TP-LINK_JIN", "HomeNet-5G", "Linksys-Office", "FRITZ-Box 7590"]

# Battery behaviour, percent per hour. Drain is per device (seeded); charging starts
# when the owner "plugs in" the solar panel/charger at the low mark.
BATTERY_CHARGE_START = 10.0
BATTERY_COMPLETED_HOLD_S = 2 * 3600.0


@dataclass
class PirConfig:
    enabled: bool = True
    sensitivity: int = 50
    reduce_mistakes: bool = True


@dataclass
class WifiConfig:
    ssid: str
    key: str
    channel: int = 1
    country_code: str = "US"


@dataclass
class UpgradeState:
    """The device's view of an upgrade in progress (the session lives in the server)."""

    session_id: str
    file_name: str
    started_at: float
    status: str = "upgrading"


ZOOM_MAX = 32  # zoom in magnification steps, 0..ZOOM_MAX (the LAN API reports the same scale)
FOCUS_MAX = 255


@dataclass
class PtzState:
    zoom: int = 0  # 0..ZOOM_MAX
    focus: int = 128  # 0..FOCUS_MAX
    direction: str = "none"
    speed: int = 0


class _Generation:
    """Bumped whenever something GET /v1.0/devices shows changes (lets the server cache it)."""

    value = 0


_LISTED_FIELDS = frozenset({"online", "firmware", "model"})


@dataclass(eq=False)
class SimDevice:
    uid: str
    model: ModelSpec
    name: str
    firmware: str
    online: bool = True
    battery_percent: float | None = None
    charge_status: str | None = None  # "none" | "charging" | "completed" (battery models)
    alarm_enabled: bool = True
    pir: PirConfig = field(default_factory=PirConfig)
    wifi: WifiConfig | None = None
    sd_card_inserted: bool = True
    sleeping: bool = False  # battery models doze between calls; a call has to wake them
    upgrade: UpgradeState | None = None
    ptz: PtzState = field(default_factory=PtzState)
    firmware_file: str | None = None  # last image installed through ROP
    # Why the device is offline ("forced", "flaky", "reboot", "wifi"); empty => online.
    offline_reasons: set[str] = field(default_factory=set)
    upgrade_outcome: str | None = None  # forced outcome for its next upgrade (control API)
    # Per-device behaviour (control API, seeded generator); None = the server-wide setting.
    latency_ms: float | None = None  # e.g. one slow device among fast ones
    wake_failure_rate: float | None = None  # 1.0: a battery camera that never wakes (wake_up_timeout)
    drain_per_hour: float = 1.0
    charge_per_hour: float = 30.0
    awake_until: float = 0.0
    battery_updated_at: float = 0.0
    completed_since: float = 0.0

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LISTED_FIELDS:
            _Generation.value += 1
        object.__setattr__(self, name, value)

    @property
    def family(self) -> str:
        return self.model.family

    @property
    def has_recordings(self) -> bool:
        return self.model.sd_card and self.sd_card_inserted

    def refresh(self, now: float) -> None:
        """Bring battery and sleep state up to ``now``."""
        if self.model.battery:
            self._integrate_battery(now)
            self.sleeping = now >= self.awake_until
        else:
            self.sleeping = False

    def wake(self, now: float, stay_awake_s: float) -> None:
        self.awake_until = now + stay_awake_s
        self.sleeping = False

    def _integrate_battery(self, now: float) -> None:
        # Piecewise: discharging -> (low mark) charging -> (100 %) completed -> (hold) discharging.
        t = self.battery_updated_at
        if self.battery_percent is None or now <= t:
            return
        pct = self.battery_percent
        status = self.charge_status or "none"
        for _ in range(1000):  # bounded: each turn ends a phase or reaches ``now``
            if t >= now:
                break
            if status == "charging":
                need = (100.0 - pct) / self.charge_per_hour * 3600.0
                if t + need > now:
                    pct += (now - t) / 3600.0 * self.charge_per_hour
                    t = now
                else:
                    pct, t, status = 100.0, t + need, "completed"
                    self.completed_since = t
            elif status == "completed":
                end = self.completed_since + BATTERY_COMPLETED_HOLD_S
                if end > now:
                    t = now
                else:
                    t, status = max(t, end), "none"
            else:
                need = max(0.0, pct - BATTERY_CHARGE_START) / self.drain_per_hour * 3600.0
                if t + need > now:
                    pct -= (now - t) / 3600.0 * self.drain_per_hour
                    t = now
                else:
                    pct, t, status = min(pct, BATTERY_CHARGE_START), t + need, "charging"
        self.battery_percent = max(0.0, min(100.0, pct))
        self.charge_status = status
        self.battery_updated_at = now

    def set_battery(self, now: float, percent: float, charge_status: str | None = None) -> None:
        self.battery_percent = float(percent)
        if charge_status is not None:
            self.charge_status = charge_status
            if charge_status == "completed":
                self.completed_since = now
        self.battery_updated_at = now

    def reset_to_factory(self) -> None:
        """What factoryReset after an upgrade wipes: name and user settings.

        Network settings stay so the simulated device can come back online (a
        real Wi-Fi camera would need onboarding again).
        """
        self.name = self.model.name
        self.alarm_enabled = True
        self.pir = PirConfig()
        self.ptz = PtzState()


class Fleet:
    """All devices known to the simulated Core Server, keyed by UID (insertion order kept)."""

    def __init__(self, seed: int = 0, clock: Clock | None = None, stay_awake_s: float = 20.0) -> None:
        self.seed = seed
        self.clock = clock or Clock()
        self.stay_awake_s = stay_awake_s
        self.devices: dict[str, SimDevice] = {}
        self.alarm_listeners: list[AlarmListener] = []
        self.footage = AlarmFootage(seed)  # what alarms recorded on the devices' SD cards
        self._rng = random.Random(f"ropsim-fleet:{seed}")
        self._models = list(MODEL_WEIGHTS)
        self._weights = [MODEL_WEIGHTS[m] for m in self._models]

    @classmethod
    def generate(
        cls, count: int, seed: int = 0, clock: Clock | None = None, model: str | None = None, **kwargs: float
    ) -> Fleet:
        fleet = cls(seed=seed, clock=clock, **kwargs)
        models = [name.strip() for name in model.split(",")] if model else [None]
        for i in range(count):
            fleet.create_device(models[i % len(models)])
        return fleet

    @property
    def generation(self) -> int:
        return _Generation.value

    # -- construction -------------------------------------------------------------
    def new_uid(self) -> str:
        while True:
            uid = "9527" + "".join(self._rng.choices(_UID_ALPHABET, k=12))
            if uid not in self.devices:
                return uid

    def create_device(
        self, model: str | ModelSpec | None = None, uid: str | None = None, name: str | None = None
    ) -> SimDevice:
        """Make a new device (seeded choices) and add it to the fleet."""
        rng = self._rng
        if model is None:
            spec = CATALOGUE[rng.choices(self._models, self._weights)[0]]
        else:
            spec = model if isinstance(model, ModelSpec) else get_model(model)
        if uid is None:
            uid = self.new_uid()
        elif not UID_RE.match(uid):
            raise ValueError(f"UID must match {UID_RE.pattern}: {uid!r}")
        build, date = rng.choice(SHIPPED_BUILDS[spec.name])
        now = self.clock.now()
        dev = SimDevice(
            uid=uid,
            model=spec,
            name=name or f"{rng.choice(_PLACES)} {rng.randint(1, 99)}",
            firmware=spec.firmware_version(build, date),
            alarm_enabled=rng.random() < 0.85,
            pir=PirConfig(rng.random() < 0.9, rng.choice([20, 35, 50, 65, 80, 100]), rng.random() < 0.7),
            sd_card_inserted=spec.sd_card and rng.random() < 0.9,
        )
        if spec.wifi:
            ssid = rng.choice(_HOME_SSIDS)
            dev.wifi = WifiConfig(ssid=ssid, key=wifi_key_for(ssid), channel=rng.choice([1, 6, 11, 36, 44]))
        if spec.battery:
            dev.battery_percent = float(rng.randint(25, 100))
            dev.charge_status = rng.choices(["none", "charging", "completed"], [8, 1, 1])[0]
            if dev.charge_status == "completed":
                dev.battery_percent = 100.0
            dev.drain_per_hour = round(rng.uniform(0.5, 2.0), 3)
            dev.charge_per_hour = round(rng.uniform(20.0, 40.0), 3)
            dev.battery_updated_at = now
            dev.completed_since = now
            dev.sleeping = True  # battery cameras idle asleep until something wakes them
            dev.awake_until = now
        self.add(dev)
        return dev

    def add(self, device: SimDevice) -> SimDevice:
        if device.uid in self.devices:
            raise ValueError(f"device {device.uid} already exists")
        self.devices[device.uid] = device
        _Generation.value += 1
        return device

    def remove(self, uid: str) -> SimDevice:
        dev = self.devices.pop(uid)
        _Generation.value += 1
        return dev

    # -- state helpers -----------------------------------------------------------
    def get(self, uid: str) -> SimDevice | None:
        dev = self.devices.get(uid)
        if dev is not None:
            dev.refresh(self.clock.now())
        return dev

    def set_offline(self, uid: str, reason: str = "forced") -> None:
        dev = self.devices[uid]
        dev.offline_reasons.add(reason)
        if dev.online:
            dev.online = False

    def set_online(self, uid: str, reason: str | None = None) -> None:
        """Clear one offline reason (or all with ``reason=None``); online once none is left."""
        dev = self.devices[uid]
        if reason is None:
            dev.offline_reasons.clear()
        else:
            dev.offline_reasons.discard(reason)
        if not dev.offline_reasons and not dev.online:
            dev.online = True

    def raise_alarm(self, uid: str, channel: int = 0, status: str = "MD", ai_types: list[str] | None = None) -> None:
        """Record the alarm on the device's SD card (cameras record on motion: webhook and LAN
        alarms alike), then tell every listener (LAN emulator, webhook dispatcher)."""
        types = list(ai_types or [])
        dev = self.devices.get(uid)
        # "none" without AI types ends an alarm; a device without a card keeps nothing.
        if dev is not None and dev.has_recordings and (status != "none" or types) and 0 <= channel < dev.model.channels:
            self.footage.record(uid, channel, self.clock.now())
        for listener in list(self.alarm_listeners):
            listener(uid, channel, status, types)


# The simulated radio environment: the "right" key for the well-known networks
# (the spec's examples among them); any other SSID's key is "<ssid>-key".
KNOWN_WIFI_KEYS: dict[str, str] = {
    "NETGEAR36": "netgear-36-pass",
    "Reolink": "reolink123",
    "Reolink_Guest": "",  # open network: any key joins
    "TP-LINK_JIN": "88888888",
}
OPEN_NETWORKS = frozenset({"Reolink_Guest"})


def wifi_key_for(ssid: str) -> str:
    return KNOWN_WIFI_KEYS.get(ssid, f"{ssid}-key")


def wifi_key_ok(ssid: str, key: str) -> bool:
    return ssid in OPEN_NETWORKS or key == wifi_key_for(ssid)
