"""Choosing simulated devices and days for the recordings tests (the simulator's own
recordings are the truth the console's pages are checked against)."""

import datetime as dt
import re

from ropsim import recordings as simrec
from tests.devices.device_page_tools import page_device


def sim_now(sim) -> dt.datetime:
    return dt.datetime.fromtimestamp(sim.sim.now(), dt.UTC).replace(tzinfo=None)


def recording_device(sim, partner, **filters):
    """A powered camera of the simulator with an SD card, as a Device row."""
    for uid, dev in sim.sim.fleet.devices.items():
        if dev.has_recordings and not dev.model.battery and dev.model.channels == 1:
            return page_device(sim, partner, uid=uid, **filters)
    raise AssertionError("no powered camera with an SD card")


def battery_device(sim, partner):
    """A battery camera of the simulator with an SD card, as a Device row."""
    for uid, dev in sim.sim.fleet.devices.items():
        if dev.has_recordings and dev.model.battery:
            return page_device(sim, partner, uid=uid)
    raise AssertionError("no battery camera with an SD card")


def clips(sim, uid, day, channel=0, stream="mainStream"):
    """The device's clips of a day as ropsim lists them, its alarms' footage included."""
    return simrec.day_recordings(sim.config.seed, uid, channel, day, stream, sim_now(sim), sim.sim.fleet.footage)


def day_with(sim, uid, *, at_least: int) -> dt.date:
    """A past day on which the device recorded at least `at_least` clips."""
    today = sim_now(sim).date()
    for back in range(1, 400):
        day = today - dt.timedelta(days=back)
        if len(clips(sim, uid, day)) >= at_least:
            return day
    raise AssertionError(f"no day with {at_least} clips")


def shown_files(html: str) -> list[str]:
    return re.findall(r'data-recording="([^"]+)"', html)


def found(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text` (failing the test when absent)."""
    match = re.search(pattern, text, re.S)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)
