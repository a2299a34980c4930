"""How long an upgrade takes, learnt from what the reads of upgrade sessions see, and
when to read a session next. Plain Python: upgrade.py feeds it what the reads saw and
asks it when to read; a test drives it on a fake clock (tests/firmware/test_learning.py).

Every read of a session costs a request of the partner's budget, and every device read
late holds its place in flight (and the rollout's end) for nothing. Real cameras take
from under a minute to well over ten, by model, image size and network, so no fixed
guess is right: the schedule measures.

An observation is one device's upgrade as its reads bracket it: `lo`, the longest time
after the session started at which a read found it still upgrading (0: no read did),
and `hi`, the time at which a read found it over. Devices play one of three roles:

- scouts: while a model has nothing measured in this rollout, its first SCOUTS devices
  are read on a short, growing ladder (10 s, then doubling, each scout a third of a
  doubling after the last, so that together they read every 2^(1/3) = 1.26x): the first
  completion is seen within about 1.3x its real time, from any prior;
- probes: one device in PROBE_EVERY (one in three while there are few measurements)
  is read from just under the quick end of what was measured, in small steps: they
  give narrow brackets, measuring the spread on both sides, so the learnt times follow
  a world that is faster or slower than the last one;
- the others (regular) are read once, where nearly every measured upgrade was over
  (the 90th percentile of the narrow brackets' ends): most need that one read. Before
  anything is known they are parked (read only before their session expires) and
  brought forward by upgrade.replan() as soon as a scout's completion says when.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

SCOUT, PROBE, REGULAR = "scout", "probe", "regular"
SCOUTS = 3
SCOUT_GROWTH = 2.0
# The longest wait between two reads of a scout or of an upgrade running past all
# that was measured (the session expires within an hour at most).
MAX_STEP = 600.0
PROBE_EVERY = 20
# Until this many narrow measurements, up to this many probes at once, each reading a
# different part of what is known (together they narrow it in one read each).
WARMUP_NARROW = 5
# A probe covers the measured range in about this many reads.
PROBE_STEPS = 4
# A bracket is a measurement when its ends are this close (ratio, or seconds).
NARROW_RATIO = 1.35
NARROW_SECONDS = 2.0
# The smallest step between reads: a share of the upgrade time, and in seconds.
MIN_STEP_SHARE = 0.03
MIN_STEP_SECONDS = 0.05
# A probe past every measured end searches upwards by this factor (under NARROW_RATIO:
# what it finds there is a measurement).
PROBE_GROWTH = 1.25
# A device slower than everything measured is read again after this share of its time so far.
TAIL_GROWTH = 0.1
# Measurements kept per model (the most recent): the schedule follows a changing world.
WINDOW = 60


@dataclass(frozen=True)
class Observation:
    lo: float
    hi: float


@dataclass(frozen=True)
class Learnt:
    """What earlier rollouts of this model (and image size) measured."""

    low: float
    typical: float
    high: float
    samples: int


@dataclass(frozen=True)
class Estimate:
    """Where upgrades of one model end: `low` (the quick ones, ~10th percentile),
    `typical` (median) and `high` (~90th percentile); None while nothing is known.
    `measured`: narrow brackets of this rollout; `bounded`: brackets of any width."""

    low: float | None = None
    typical: float | None = None
    high: float | None = None
    measured: int = 0
    bounded: int = 0
    source: str = "none"  # "rollout", "learnt" or "none"
    # The quickest upgrade found over at its first read: scouts start under it.
    quickest: float | None = None

    @property
    def known(self) -> bool:
        return self.high is not None


def quantile(values: Sequence[float], share: float) -> float:
    """Nearest rank: with few values, the 90th percentile is the largest."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def is_narrow(obs: Observation) -> bool:
    return obs.lo > 0 and obs.hi <= max(obs.lo * NARROW_RATIO, obs.lo + NARROW_SECONDS)


def estimate(observations: Sequence[Observation], learnt: Learnt | None = None) -> Estimate:
    """From this rollout's brackets when it has some, else from what earlier rollouts
    learnt. Narrow brackets give the spread; scouts' wide ones (x, 2x], their middle; found
    over at a first read (0, hi] says only that it is quicker than hi."""
    bounded = [obs for obs in observations if obs.lo > 0]
    narrow = [obs for obs in bounded if is_narrow(obs)]
    quickest = min((obs.hi for obs in observations if obs.lo == 0), default=None)
    if narrow:
        # A probe found over at its first read was quicker than the quick end: its
        # optimistic lower end pulls `low` down, so that later probes start earlier.
        quick = [obs.hi / NARROW_RATIO for obs in observations if obs.lo == 0]
        return Estimate(
            low=quantile([obs.lo for obs in narrow] + quick, 0.1),
            typical=median((obs.lo + obs.hi) / 2 for obs in narrow),
            high=quantile([obs.hi for obs in narrow], 0.9),
            measured=len(narrow),
            bounded=len(bounded),
            source="rollout",
            quickest=quickest,
        )
    if bounded:
        # The scouts' wide brackets, the middle of them: one quick scout alone (the
        # quickest of a few draws) would have every other device read too early.
        low, high = quantile([obs.lo for obs in bounded], 0.5), quantile([obs.hi for obs in bounded], 0.5)
        if low >= high:  # no common bracket: the upgrades differ more than one scout's step
            low, high = min(obs.lo for obs in bounded), max(obs.hi for obs in bounded)
        return Estimate(
            low=low, typical=(low + high) / 2, high=high, bounded=len(bounded), source="rollout", quickest=quickest
        )
    if learnt is not None:
        return Estimate(low=learnt.low, typical=learnt.typical, high=learnt.high, source="learnt", quickest=quickest)
    if observations:
        # Only "over at the first read": quicker than that, how much quicker unknown.
        high = quantile([obs.hi for obs in observations], 0.9)
        return Estimate(low=0.0, typical=high / 2, high=high, source="rollout", quickest=quickest)
    return Estimate()


def role_for(est: Estimate, *, scouts_open: int, probes_open: int, item_id: int) -> tuple[str, int]:
    """The role of a device whose upgrade starts now, and its index among its kind
    (scouts and warm-up probes read at staggered times)."""
    if est.bounded == 0 and scouts_open < SCOUTS:
        return SCOUT, scouts_open
    if not est.known:
        return REGULAR, 0
    if est.measured < WARMUP_NARROW:
        if probes_open < WARMUP_NARROW:
            return PROBE, probes_open
        return REGULAR, 0
    if item_id % PROBE_EVERY == 0:
        return PROBE, 0
    return REGULAR, 0


def _step(est: Estimate, seen_running: float) -> float:
    """A quarter of the measured range, and never so far that the bracket it makes is
    too wide to be a measurement."""
    high = est.high or 0.0
    low = est.low or 0.0
    step = max((high - low) / PROBE_STEPS, high * MIN_STEP_SHARE, MIN_STEP_SECONDS)
    widest = max(seen_running * (NARROW_RATIO - 1), NARROW_SECONDS) * 0.9
    return min(step, widest)


def scout_rung(first: float, index: int, after: float, quickest: float | None = None) -> float:
    """The first rung of scout `index`'s ladder after `after` seconds: first x 2^(j + index/SCOUTS),
    the steps between rungs at most MAX_STEP. Under the quickest upgrade seen over at
    a first read (the world is quicker than `first`): from half of that."""
    if quickest is not None:
        first = max(min(first, quickest / 2), MIN_STEP_SECONDS)
    rung: float = first * SCOUT_GROWTH ** ((index % SCOUTS) / SCOUTS)
    while rung <= after:
        rung = min(rung * SCOUT_GROWTH, rung + MAX_STEP)
    return rung


def plan(est: Estimate, role: str, *, seen_running: float, checks: int, first: float, index: int = 0) -> float | None:
    """The next read of a device (seconds after its session started), whether it was read yet or not."""
    if checks == 0:
        return first_read(est, role, first=first, index=index)
    return next_read(est, role, seen_running=seen_running, checks=checks, first=first, index=index)


def first_read(est: Estimate, role: str, *, first: float, index: int = 0) -> float | None:
    """Seconds after the session started to read it first; None: parked (read when
    something is known, or before the session expires)."""
    if role == SCOUT:
        return scout_rung(first, index, 0.0, est.quickest)
    if not est.known:
        return None
    assert est.high is not None
    if role == PROBE:
        low = est.low or 0.0
        if low <= 0:
            low = est.high / 2
        share = (index % WARMUP_NARROW) / WARMUP_NARROW  # 0 but for warm-up probes
        return max(low * 0.97 + (est.high - low) * share, MIN_STEP_SECONDS)
    return est.high


def next_read(
    est: Estimate, role: str, *, seen_running: float, checks: int, first: float, index: int = 0
) -> float | None:
    """Seconds after the session started to read it again, after `checks` reads found it
    running (the last at `seen_running`); None: parked."""
    if not est.known or (role == SCOUT and est.bounded == 0):
        return scout_rung(first, index, seen_running, est.quickest) if role == SCOUT else None
    assert est.high is not None
    step = _step(est, seen_running)
    if seen_running < est.high:
        # Inside what was measured: the next small step (a probe's ladder, a scout that
        # now narrows the bracket, a regular device read before the upper end moved).
        return seen_running + step
    # Past every measured end.
    if role in (PROBE, SCOUT):
        # Searching upwards: the world may be slower than what was learnt.
        return seen_running + min(max(seen_running * (PROBE_GROWTH - 1), step), MAX_STEP)
    if est.source != "rollout":
        return None  # slower than earlier rollouts saw: parked until this one's probes know
    if checks <= 1:
        return seen_running + max(step, est.high * 0.1)  # the slow tail: one more read soon
    # Slower than all this rollout measured (the rollout's last devices, often): read again
    # in steps of a tenth of the time so far, each bracket still a measurement.
    return seen_running + min(max(seen_running * TAIL_GROWTH, step), MAX_STEP)


# A device needs a session and, mostly, one read; probes and slow ones read a little more.
REQUESTS_PER_DEVICE = 2.2


def seconds_left(waiting: int, upgrading: Sequence[float], in_flight: int | None, high: float, budget: float) -> float:
    """How long the rest takes: the devices upgrading now (`upgrading`: seconds since each
    started) end when nearly every upgrade has, on average; the `waiting` ones follow in
    rounds of the in-flight limit, each as long as nearly every upgrade; or all their
    requests at the budget's pace, whichever is longer."""
    ahead = [max(high - elapsed, 0.0) for elapsed in upgrading]
    if not waiting:
        return max(ahead, default=0.0)
    rounds = -(-waiting // (in_flight or waiting))
    first_free = sum(ahead) / len(ahead) if ahead else 0.0
    return max(first_free + rounds * high, REQUESTS_PER_DEVICE * waiting / max(budget, 0.01))
