"""Seeded per-device behaviour and the demo's fleet states.

Applied once to a freshly generated fleet, from an RNG of its own
(``ropsim-states:<seed>``), so the fleet's UIDs, models and names stay those of
``Fleet.generate`` whether or not these states are on, and the same seed always
picks the same devices.

- ``slow_devices``: that many devices answer after ``slow_latency_ms`` (one slow
  device among fast ones, for timeouts and progress displays).
- ``unwakeable_devices``: that many battery cameras always fail to wake.
- ``demo_states`` (on by default on the command line, i.e. in ``make run``): what a
  fleet manager meets every day — outages that come and go, batteries low or
  charging, cameras that fail to wake, a slow device — so the console's overview
  shows them from the first sync. Alarms switched off, NVRs and battery cameras
  already come with the seeded fleet; random alarms come from ``--alarm-rate``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ropsim.config import SimConfig
from ropsim.fleet import Fleet, SimDevice
from ropsim.scheduler import Scheduler

# Share of the fleet (or of its battery cameras) given each demo state; at least one
# device gets each state when the fleet has a candidate for it.
DEMO_OUTAGE_SHARE = 0.08  # of every device; a third of them start offline
DEMO_LOW_BATTERY_SHARE = 0.25  # of battery cameras: 11-19 %, draining
DEMO_CHARGING_SHARE = 0.10  # of battery cameras: 6-60 %, charging
DEMO_UNWAKEABLE_SHARE = 0.05  # of battery cameras
DEMO_SLOW_DEVICES = 1  # one slow device among fast ones
DEMO_SLOW_LATENCY_MS = 1000.0
# Outage and uptime lengths of the devices that come and go (seconds, uniform).
DEMO_OUTAGE_SECONDS = (90.0, 600.0)
DEMO_UPTIME_SECONDS = (300.0, 1800.0)
DEMO_FIRST_DROP_AFTER = 10.0  # the others' first outages: from 10 s after start-up...
DEMO_FIRST_DROP_STEP = 20.0  # ...one every 20 s
DEMO_REASON = "demo"


@dataclass(frozen=True)
class DemoOutages:
    """The come-and-go cycle of one device: offline, back, offline again..."""

    fleet: Fleet
    scheduler: Scheduler
    rng: random.Random
    uid: str

    def drop(self) -> None:
        if self.uid not in self.fleet.devices:
            return
        self.fleet.set_offline(self.uid, DEMO_REASON)
        self.scheduler.after(self.rng.uniform(*DEMO_OUTAGE_SECONDS), self.back)

    def back(self) -> None:
        if self.uid not in self.fleet.devices:
            return
        self.fleet.set_online(self.uid, DEMO_REASON)
        self.scheduler.after(self.rng.uniform(*DEMO_UPTIME_SECONDS), self.drop)


def apply(config: SimConfig, fleet: Fleet, scheduler: Scheduler, *, exclude: int = 0) -> None:
    """Give the fleet the configured states; the first ``exclude`` devices (those the LAN
    emulator serves) keep the generator's plain state."""
    rng = random.Random(f"ropsim-states:{config.seed}")
    devices = list(fleet.devices.values())[exclude:]
    battery = [d for d in devices if d.model.battery]
    for dev in _pick(rng, devices, config.slow_devices):
        dev.latency_ms = config.slow_latency_ms
    for dev in _pick(rng, battery, config.unwakeable_devices):
        dev.wake_failure_rate = 1.0
    if config.demo_states:
        _apply_demo(rng, fleet, scheduler, devices, battery)


def _apply_demo(
    rng: random.Random, fleet: Fleet, scheduler: Scheduler, devices: list[SimDevice], battery: list[SimDevice]
) -> None:
    now = fleet.clock.now()
    for dev in _pick(rng, devices, DEMO_SLOW_DEVICES):
        if dev.latency_ms is None:
            dev.latency_ms = DEMO_SLOW_LATENCY_MS
    # Battery states come from disjoint picks so each is visible on its own.
    shares = (DEMO_LOW_BATTERY_SHARE, DEMO_CHARGING_SHARE, DEMO_UNWAKEABLE_SHARE)
    picked = _pick(rng, battery, sum(_share(battery, share) for share in shares))
    low_end = _share(battery, DEMO_LOW_BATTERY_SHARE)
    charging_end = low_end + _share(battery, DEMO_CHARGING_SHARE)
    low, charging, unwakeable = picked[:low_end], picked[low_end:charging_end], picked[charging_end:]
    for dev in low:
        dev.set_battery(now, float(rng.randint(11, 19)), "none")
    for dev in charging:
        dev.set_battery(now, float(rng.randint(6, 60)), "charging")
    for dev in unwakeable:
        dev.wake_failure_rate = 1.0
    # The console learns of a device from the online list only, so a device offline from
    # start-up shows as offline only to a console that knew it before (a second `make run`).
    # The others drop one after another after start-up, every DEMO_FIRST_DROP_STEP seconds:
    # whenever a console syncs twice, some device was listed at the first and is gone at the next.
    flaky = _pick(rng, devices, _share(devices, DEMO_OUTAGE_SHARE))
    later = 0
    for i, dev in enumerate(flaky):
        cycle = DemoOutages(fleet, scheduler, random.Random(f"ropsim-demo-outage:{dev.uid}"), dev.uid)
        if i % 3 == 0:
            cycle.drop()
        else:
            scheduler.after(DEMO_FIRST_DROP_AFTER + later * DEMO_FIRST_DROP_STEP + rng.uniform(0, 5), cycle.drop)
            later += 1
    # The generator switches alarms off on ~15 % of devices; make sure a small fleet has one too.
    if devices and all(d.alarm_enabled for d in devices):
        rng.choice(devices).alarm_enabled = False


def _share(devices: list[SimDevice], share: float) -> int:
    return max(1, round(len(devices) * share)) if devices else 0


def _pick(rng: random.Random, devices: list[SimDevice], count: int) -> list[SimDevice]:
    return rng.sample(devices, min(max(0, count), len(devices)))
