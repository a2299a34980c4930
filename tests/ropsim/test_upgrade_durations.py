"""Upgrade durations: per model, and spread as real cameras' are (a rollout's schedule
learns them; a simulator where every upgrade takes the same time would flatter it)."""

from __future__ import annotations

import statistics

from ropsim.config import SimConfig
from ropsim.sim import Simulator


def _durations(config: SimConfig, model: str, count: int = 200) -> list[float]:
    sim = Simulator(config)
    device = next(dev for dev in sim.fleet.devices.values() if dev.model.name == model)
    return [sim.upgrade_duration(device) for _ in range(count)]


def test_it_takes_each_models_own_time() -> None:
    config = SimConfig(
        devices=4,
        seed=3,
        fleet_model="RLC-810A,Argus 3 Pro",
        upgrade_seconds=30,
        model_upgrade_seconds="Argus 3 Pro=300",
    )
    assert set(_durations(config, "RLC-810A", 5)) == {30.0}
    assert set(_durations(config, "Argus 3 Pro", 5)) == {300.0}


def test_it_builds_a_fleet_of_the_models_in_turn() -> None:
    sim = Simulator(SimConfig(devices=6, seed=3, fleet_model="RLC-810A,Argus 3 Pro"))
    names = [dev.model.name for dev in sim.fleet.devices.values()]
    assert names == ["RLC-810A", "Argus 3 Pro"] * 3


def test_it_spreads_upgrade_times_around_the_models_time() -> None:
    config = SimConfig(devices=2, seed=3, fleet_model="RLC-810A", upgrade_seconds=100, upgrade_spread=0.1)
    durations = _durations(config, "RLC-810A")
    assert 95 < statistics.median(durations) < 105
    assert 0.07 < statistics.stdev(durations) / 100 < 0.13
    assert _durations(config, "RLC-810A") == durations  # seeded: the same run, the same times
