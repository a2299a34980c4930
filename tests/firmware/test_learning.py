"""The reading schedule (firmware/rollout/learning.py) on a fake clock: rollouts in
worlds it was not told about reach their floor (1.3x at most) with at most 2.5
requests per device; the scouts, probes and parked devices behave as documented."""

import pytest

from firmware.rollout import learning
from firmware.rollout.learning import Estimate, Learnt, Observation

from .learning_world import World

LEARNT_300 = {"A": Learnt(270.0, 300.0, 330.0, 35)}
LEARNT_30 = {"A": Learnt(27.0, 30.0, 33.0, 35)}


@pytest.mark.parametrize(
    "world",
    [
        pytest.param(World({"A": 10}, devices=10_000), id="10 s upgrades, bound by the budget"),
        pytest.param(World({"A": 120}, devices=3000), id="120 s upgrades, two rounds of the session limit"),
        pytest.param(World({"A": 900}, devices=1000), id="900 s upgrades"),
        pytest.param(World({"A": 30, "B": 300}, devices=2000), id="two models, 30 s and 300 s"),
        pytest.param(World({"A": 30}, devices=4000, in_flight=500, learnt=LEARNT_300), id="10x faster than learnt"),
        pytest.param(World({"A": 300}, devices=4000, in_flight=500, learnt=LEARNT_30), id="10x slower than learnt"),
    ],
)
def test_it_reaches_the_floor_without_being_told(world: World) -> None:
    outcome = world.run()
    assert outcome.ratio <= 1.3, (outcome.seconds, outcome.floor)
    assert outcome.per_device <= 2.5


def test_it_learns_the_upgrade_time_it_measures() -> None:
    outcome = World({"A": 120}, devices=3000, spread=0.05).run()
    est = outcome.estimates["A"]
    assert est.source == "rollout" and est.measured >= learning.WARMUP_NARROW
    assert est.typical is not None and 110 < est.typical < 135
    assert est.high is not None and 120 < est.high < 120 * learning.NARROW_RATIO


def test_it_finds_the_first_completion_within_a_third_of_its_time() -> None:
    """Three scouts, a third of a doubling apart: every 1.26x one of them reads."""
    for duration in (37.0, 95.0, 240.0, 700.0, 1500.0):
        reads = sorted(rung for index in range(learning.SCOUTS) for rung in _ladder(index, until=duration * 2))
        seen = next(rung for rung in reads if rung >= duration)
        assert seen <= duration * 1.27 or seen - duration <= learning.MAX_STEP / learning.SCOUTS


def _ladder(index: int, until: float) -> list[float]:
    rungs, at = [], 0.0
    while at < until:
        at = learning.scout_rung(10.0, index, at)
        rungs.append(at)
    return rungs


def test_it_parks_devices_until_something_is_known() -> None:
    est = learning.estimate([])
    assert learning.role_for(est, scouts_open=0, probes_open=0, item_id=7) == (learning.SCOUT, 0)
    assert learning.role_for(est, scouts_open=3, probes_open=0, item_id=7) == (learning.REGULAR, 0)
    assert learning.first_read(est, learning.REGULAR, first=10.0) is None


def test_it_reads_regular_devices_where_nearly_all_upgrades_were_over() -> None:
    brackets = [Observation(lo, lo + 4) for lo in (96, 100, 104, 108, 112, 116, 120, 124, 128, 132)]
    est = learning.estimate(brackets)
    assert est.high == 132 and est.low == 96  # nearest rank: the 9th of 10
    assert learning.first_read(est, learning.REGULAR, first=10.0) == 132
    # A probe reads from under the quick end, in small steps.
    assert learning.first_read(est, learning.PROBE, first=10.0) == pytest.approx(96 * 0.97)
    assert learning.next_read(est, learning.PROBE, seen_running=100, checks=1, first=10.0) == pytest.approx(
        100 + (132 - 96) / 4
    )


def test_it_trusts_its_own_measurements_over_what_was_learnt() -> None:
    learnt = Learnt(270, 300, 330, 40)
    assert learning.estimate([], learnt).source == "learnt"
    est = learning.estimate([Observation(20, 40)], learnt)
    assert (est.source, est.low, est.high) == ("rollout", 20, 40)


def test_it_parks_a_device_slower_than_what_was_learnt_until_the_probes_know() -> None:
    est = Estimate(low=27, typical=30, high=33, source="learnt")
    assert learning.next_read(est, learning.REGULAR, seen_running=33, checks=1, first=10.0) is None
    # A probe searches upwards, in steps that still measure.
    after = learning.next_read(est, learning.PROBE, seen_running=40, checks=2, first=10.0)
    assert after is not None and 40 < after <= 40 * learning.NARROW_RATIO


@pytest.mark.parametrize(
    "world",
    [
        pytest.param(World({"A": 10}, devices=10_000), id="bound by the budget"),
        pytest.param(World({"A": 30}, devices=35, in_flight=10), id="the demo's rollout"),
        pytest.param(World({"A": 120}, devices=3000, spread=0.0), id="two rounds of upgrades all alike"),
    ],
)
def test_it_estimates_the_end_within_a_quarter_once_the_first_round_is_done(world: World) -> None:
    outcome = world.run()
    assert outcome.estimated_left is not None and outcome.left is not None
    assert abs(outcome.estimated_left - outcome.left) <= 0.25 * outcome.left, (outcome.estimated_left, outcome.left)
