"""LAN-only state of the emulated devices.

The fleet (ropsim.fleet) owns what the cloud also sees: identity, name,
firmware, online. Everything only the LAN API exposes lives here: per-channel
motion/AI state, the white LED, PTZ position and presets, siren plays, the
reboot window, token sessions and the login lockout, and /rop/setup results.

Motion and AI states are stored as deadlines ("active until t") rather than
flags cleared by timers: an alarm raised from any thread only writes a float,
and the state clears itself when read after the deadline. No event-loop
callbacks are needed, so the cloud simulator may raise alarms from its own
thread or loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ropsim.fleet import FOCUS_MAX, ZOOM_MAX
from ropsim.fleet import PtzState as Lens

from . import devices
from .sessions import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_LOCK_SECONDS,
    DEFAULT_MAX_FAILURES,
    DEFAULT_MAX_SESSIONS,
    LoginGuard,
    SessionStore,
)

# PTZ coordinate ranges as GetPtzCurPos / GetZoomFocus report them.
PAN_MAX = 3600
TILT_MAX = 900
PRESET_SLOTS = 64

# Direction of each PtzCtrl move op as (pan, tilt) unit steps.
MOVES: dict[str, tuple[int, int]] = {
    "Left": (-1, 0),
    "Right": (1, 0),
    "Up": (0, 1),
    "Down": (0, -1),
    "LeftUp": (-1, 1),
    "LeftDown": (-1, -1),
    "RightUp": (1, 1),
    "RightDown": (1, -1),
}


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, round(value))))


@dataclass
class LanOptions:
    """Tunables of the emulation (defaults mimic a real camera)."""

    alarm_hold_seconds: float = 10.0  # how long an alarm keeps MD/AI "on"
    reboot_seconds: float = 3.0  # how long Reboot keeps the device off the LAN
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    max_sessions: int = DEFAULT_MAX_SESSIONS
    max_login_failures: int = DEFAULT_MAX_FAILURES
    lock_seconds: int = DEFAULT_LOCK_SECONDS
    # UIDs forced to behave like pre-v3 firmware (HTML page on a bad-token
    # Snap); devices whose fleet firmware is "v2.…" behave so anyway.
    old_firmware_uids: frozenset[str] = frozenset()
    # Seconds-clock; None = the fleet's Clock (so Clock.advance() expires
    # tokens, lockouts and alarms in tests).
    clock: Callable[[], float] | None = None


@dataclass
class Preset:
    id: int
    name: str
    pan: int
    tilt: int
    zoom: int


# ROP direction names (the cloud API's spelling) of each LAN move op, so the
# fleet's shared PTZ state reads the same whichever side moved the camera.
ROP_DIRECTIONS = {
    "Left": "left",
    "Right": "right",
    "Up": "up",
    "Down": "down",
    "LeftUp": "leftUp",
    "LeftDown": "leftDown",
    "RightUp": "rightUp",
    "RightDown": "rightDown",
    "Auto": "auto",
}


class PtzState:
    """PTZ of one channel.

    Zoom, focus, direction and speed are shared with the cloud side: for a
    fleet device they live in ``SimDevice.ptz`` (the ROP zoom/focus/rotate
    calls change the same lens), so ``shared`` is that object; channels the
    fleet does not model (NVR inputs) get a lens of their own. Pan, tilt and
    presets exist only on the LAN API and are kept here.
    """

    def __init__(self, shared: Lens | None = None) -> None:
        self.shared = shared if shared is not None else Lens()
        self.pan = PAN_MAX // 2
        self.tilt = TILT_MAX // 2
        self.moving = ""  # last continuous op still running ("" = stopped)
        self.last_op = ""
        self.presets: dict[int, Preset] = {}

    @property
    def zoom(self) -> int:
        return self.shared.zoom

    @zoom.setter
    def zoom(self, value: int) -> None:
        self.shared.zoom = value

    @property
    def focus(self) -> int:
        return self.shared.focus

    @focus.setter
    def focus(self, value: int) -> None:
        self.shared.focus = value

    @property
    def speed(self) -> int:
        return self.shared.speed

    def _set_motion(self, op: str, speed: int) -> None:
        self.moving = op
        self.shared.direction = ROP_DIRECTIONS.get(op, "none")
        self.shared.speed = speed

    def apply(self, op: str, speed: int) -> None:
        """Move one step per command (scaled by speed); Stop ends the motion.

        A real head keeps turning until Stop; the emulator moves a
        speed-sized step at once so the effect is visible immediately, and
        remembers the op in ``moving`` until Stop arrives.
        """
        self.last_op = op
        if op == "Stop":
            self._set_motion("", 0)
            return
        step = max(1, speed) * 10
        if op in MOVES:
            dx, dy = MOVES[op]
            self.pan = (self.pan + dx * step) % (PAN_MAX + 1)
            self.tilt = _clamp(self.tilt + dy * step, 0, TILT_MAX)
        elif op == "ZoomInc":
            self.zoom = _clamp(self.zoom + max(1, speed // 8), 0, ZOOM_MAX)
        elif op == "ZoomDec":
            self.zoom = _clamp(self.zoom - max(1, speed // 8), 0, ZOOM_MAX)
        elif op == "FocusInc":
            self.focus = _clamp(self.focus + max(1, speed // 2), 0, FOCUS_MAX)
        elif op == "FocusDec":
            self.focus = _clamp(self.focus - max(1, speed // 2), 0, FOCUS_MAX)
        self._set_motion(op, speed)

    def goto(self, preset: Preset) -> None:
        self.pan, self.tilt, self.zoom = preset.pan, preset.tilt, preset.zoom
        self._set_motion("", 0)
        self.last_op = "ToPos"


@dataclass
class WhiteLed:
    state: int = 0  # 1 = lit
    mode: int = 1  # 0 off, 1 night-auto, 3 timer (SpotlightModeEnum)
    bright: int = 85


@dataclass
class ChannelState:
    motion_until: float = 0.0
    ai_until: dict[str, float] = field(default_factory=dict)
    whiteled: WhiteLed = field(default_factory=WhiteLed)
    ptz: PtzState = field(default_factory=PtzState)
    siren_until: float = 0.0
    siren_manual: bool = False
    siren_plays: int = 0
    ir_state: str = "Auto"


class DeviceLanState:
    """LAN state of one device: channels, sessions, lockout, reboot, setup."""

    def __init__(self, dev: Any, options: LanOptions, clock: Callable[[], float]) -> None:
        self.uid = dev.uid
        self.options = options
        self.clock = clock
        self.channels = [ChannelState() for _ in range(devices.channel_count(dev))]
        # Channel 0 of a fleet device shares its lens with the cloud side.
        self.channels[0].ptz = PtzState(dev.ptz)
        if devices.has(dev, "ptz_rotate"):
            for ch in self.channels:
                ch.ptz.presets[1] = Preset(1, "home", PAN_MAX // 2, TILT_MAX // 2, 0)
        self.sessions = SessionStore(clock, options.lease_seconds, options.max_sessions)
        self.guard = LoginGuard(clock, options.max_login_failures, options.lock_seconds)
        self.old_firmware = self.uid in options.old_firmware_uids or devices.is_old_firmware(dev)
        self.offline_until = 0.0  # end of the reboot window
        self.reboots = 0
        # /rop/setup: an injected failure symbol (e.g. "download_ca_failed")
        # answered once per request until cleared, and the last accepted values.
        self.setup_failure: str | None = None
        self.setup_values: dict[str, Any] | None = None
        # Recent cmd names received, newest last (test assertions, /_sim views).
        self.commands_seen: deque[str] = deque(maxlen=1000)
        # HTTP requests to api.cgi (a batch of commands counts once): tests check batching.
        self.requests_seen = 0
        # (time.monotonic(), the query's cmd) of recent api.cgi requests: when a poller
        # came, so benchmarks measure achieved poll intervals on the device's side.
        self.request_times: deque[tuple[float, str]] = deque(maxlen=256)

    # -- motion / AI -------------------------------------------------------
    def raise_alarm(self, channel: int, motion: bool, ai: Iterable[str], hold: float | None = None) -> None:
        if not 0 <= channel < len(self.channels):
            return
        until = self.clock() + (self.options.alarm_hold_seconds if hold is None else hold)
        ch = self.channels[channel]
        if motion:
            ch.motion_until = until
        for ai_type in ai:
            ch.ai_until[ai_type] = until

    def clear_alarm(self, channel: int) -> None:
        if 0 <= channel < len(self.channels):
            self.channels[channel].motion_until = 0.0
            self.channels[channel].ai_until.clear()

    def motion(self, channel: int) -> bool:
        return self.channels[channel].motion_until > self.clock()

    def ai(self, channel: int, ai_type: str) -> bool:
        return self.channels[channel].ai_until.get(ai_type, 0.0) > self.clock()

    def siren_active(self, channel: int) -> bool:
        ch = self.channels[channel]
        return ch.siren_manual or ch.siren_until > self.clock()

    # -- reboot ------------------------------------------------------------
    def reboot(self) -> None:
        """Drop every session and go dark for ``reboot_seconds``."""
        self.reboots += 1
        self.sessions.clear()
        self.offline_until = self.clock() + self.options.reboot_seconds
        for ch in self.channels:
            ch.motion_until = 0.0
            ch.ai_until.clear()
            ch.ptz.moving = ""

    def rebooting(self) -> bool:
        return self.offline_until > self.clock()


def parse_ai_types(ai_types: Any) -> list[str]:
    """Accept "people,vehicle", ["people"], None or "none" as ROP's AItpe does."""
    if ai_types is None:
        return []
    items = ai_types.split(",") if isinstance(ai_types, str) else list(ai_types)
    return [str(t).strip() for t in items if str(t).strip() and str(t).strip() != "none"]


class LanState:
    """All emulated devices' LAN state, keyed by UID, plus the fleet alarm hook."""

    def __init__(self, fleet: Any, options: LanOptions | None = None) -> None:
        self.fleet = fleet
        self.options = options or LanOptions()
        self.clock: Callable[[], float] = self.options.clock or fleet.clock.now
        self.devices: dict[str, DeviceLanState] = {}

    def add(self, dev: Any) -> DeviceLanState:
        if dev.uid not in self.devices:
            self.devices[dev.uid] = DeviceLanState(dev, self.options, self.clock)
        return self.devices[dev.uid]

    def __getitem__(self, uid: str) -> DeviceLanState:
        return self.devices[uid]

    def on_alarm(self, uid: str, channel: Any, status: Any, ai_types: Any = None) -> None:
        """fleet.alarm_listeners hook: an alarm flips MD/AI state for a while.

        status "MD" (or any status other than "none") turns motion on; listed
        AI types (people, vehicle, dog_cat, face) turn those on; "none" with
        no AI type clears the channel, as the end of an alarm does.
        """
        lan = self.devices.get(uid)
        if lan is None:
            return
        try:
            ch = int(channel or 0)
        except (TypeError, ValueError):
            return
        kinds = [t for t in parse_ai_types(ai_types) if t in devices.AI_TYPES]
        status_text = str(status or "none")
        motion = status_text.lower() != "none"
        if not motion and not kinds:
            lan.clear_alarm(ch)
            return
        # An AI detection is also a motion event on real cameras.
        lan.raise_alarm(ch, motion or bool(kinds), kinds)

    def subscribe(self) -> None:
        if self.on_alarm not in self.fleet.alarm_listeners:
            self.fleet.alarm_listeners.append(self.on_alarm)

    def unsubscribe(self) -> None:
        while self.on_alarm in self.fleet.alarm_listeners:
            self.fleet.alarm_listeners.remove(self.on_alarm)
