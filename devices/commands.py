"""Commands from the device page, per channel, whichever transport reaches the device:
PTZ moves (with a duration after which the console sends Stop), presets, the
spotlight, the siren and reboot. Each goes through the device's driver and is
audited like every change (devices.actions.run)."""

from .actions import Actor, run
from .drivers import Driver, Preset, driver_for
from .models import Device
from .outcome import Outcome

_MOVE_WORDS = {
    "up": "up",
    "down": "down",
    "left": "left",
    "right": "right",
    "leftUp": "up left",
    "leftDown": "down left",
    "rightUp": "up right",
    "rightDown": "down right",
    "auto": "on auto patrol",
    "zoom_in": "zooming in",
    "zoom_out": "zooming out",
    "focus_in": "focusing in",
    "focus_out": "focusing out",
}


def ptz(
    device: Device,
    user: Actor,
    channel: int,
    move: str,
    speed: int,
    duration: float | None = None,
    *,
    driver: Driver | None = None,
) -> Outcome:
    """Start `move` (drivers.PTZ_MOVES) on `channel`; with `duration` the caller
    schedules the Stop (the view enqueues it once this answered OK)."""
    if move == "stop":
        success = f"Channel {channel}: stopped."
    elif move in ("zoom_in", "zoom_out", "focus_in", "focus_out", "auto"):
        success = f"Channel {channel}: {_MOVE_WORDS[move]}."
    else:
        success = f"Channel {channel}: moving {_MOVE_WORDS[move]} at speed {speed}."
    if duration and move != "stop":
        success += f" The console stops it after {duration:g} s."
    params = {"channel": channel, "move": move, "speed": speed, "duration": duration}
    return run(device, user, "device.ptz", params, lambda d: d.ptz(channel, move, speed), success, driver=driver)


def stop_ptz(device: Device, channel: int) -> Outcome:
    """The Stop sent after a move's duration: the console's own doing (no user)."""
    return run(
        device,
        None,
        "device.ptz",
        {"channel": channel, "move": "stop", "automatic": True},
        lambda d: d.ptz(channel, "stop", 1),
        f"Channel {channel}: stopped.",
    )


def presets(device: Device, channel: int, *, driver: Driver | None = None) -> list[Preset]:
    """The presets the device names (a read: not audited). Raises connection.FAILURES."""
    if driver is not None:
        return driver.presets(channel)
    with driver_for(device) as own:
        return own.presets(channel)


def recall_preset(
    device: Device, user: Actor, channel: int, preset: int, name: str = "", *, driver: Driver | None = None
) -> Outcome:
    label = f"preset {preset}" + (f" “{name}”" if name else "")
    return run(
        device,
        user,
        "device.ptz_preset",
        {"channel": channel, "preset": preset},
        lambda d: d.recall_preset(channel, preset, 32),
        f"Channel {channel}: moving to {label}.",
        driver=driver,
    )


def spotlight(device: Device, user: Actor, channel: int, on: bool, *, driver: Driver | None = None) -> Outcome:
    return run(
        device,
        user,
        "device.spotlight",
        {"channel": channel, "on": on},
        lambda d: d.spotlight(channel, on),
        f"Channel {channel}: spotlight {'on' if on else 'off'}.",
        driver=driver,
    )


def siren(device: Device, user: Actor, channel: int, *, driver: Driver | None = None) -> Outcome:
    return run(
        device,
        user,
        "device.siren",
        {"channel": channel},
        lambda d: d.siren(channel),
        f"Channel {channel}: siren sounded.",
        driver=driver,
    )


def reboot(device: Device, user: Actor, *, driver: Driver | None = None) -> Outcome:
    return run(
        device,
        user,
        "device.reboot",
        {},
        lambda d: d.reboot(),
        "Rebooting: the device is away for a minute or two.",
        driver=driver,
    )
