"""A rollout on a fake clock: firmware/rollout/learning.py's schedule driven the way
upgrade.py drives it (roles at the start, reads when it says, parked devices brought
forward when something is learnt), against upgrades of known length, a request budget
and a cap on devices in flight. Every request waits for the budget, as the partner's
Redis budget makes the workers wait."""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from firmware.rollout import learning
from firmware.rollout.learning import Estimate, Learnt, Observation


def makespan(durations: list[float], slots: int) -> float:
    """The end of the upgrades if each started the moment a place in flight came free."""
    free = [0.0] * min(slots, len(durations))
    end = 0.0
    for duration in durations:
        start = heapq.heappop(free)
        end = max(end, start + duration)
        heapq.heappush(free, start + duration)
    return end


@dataclass
class Device:
    id: int
    model: str
    duration: float
    role: str = ""
    index: int = 0
    started: float = 0.0
    begun: bool = False  # its session was created
    lo: float = 0.0
    checks: int = 0
    parked: bool = False
    read_at: float | None = None  # the read planned (absolute time)
    done_at: float | None = None


@dataclass
class Outcome:
    seconds: float
    requests: int
    devices: int
    floor: float
    estimates: dict[str, Estimate] = field(default_factory=dict)
    # Once the first round of the in-flight limit is done: the time left the rollout page
    # would estimate (learning.seconds_left), and the time that was really left.
    estimated_left: float | None = None
    left: float | None = None

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor

    @property
    def per_device(self) -> float:
        return self.requests / self.devices


@dataclass
class World:
    durations: dict[str, float]  # model -> typical upgrade seconds
    devices: int = 1000
    rate: float = 200.0
    in_flight: int = 2000
    spread: float = 0.1  # sigma of the log of an upgrade's length
    first: float = 10.0
    learnt: dict[str, Learnt] = field(default_factory=dict)
    seed: int = 1

    def floor(self, durations: list[float]) -> float:
        """The budget's pace for the fewest requests, or the upgrades' own time: the
        longest upgrade when all fit in flight at once, else rounds of the typical one."""
        fewest = 2 * self.devices + 1
        return max(fewest / self.rate, makespan(durations, self.in_flight))

    def run(self) -> Outcome:
        return _Run(self).go()


class _Run:
    def __init__(self, world: World) -> None:
        self.world = world
        rng = random.Random(world.seed)
        models = list(world.durations)
        self.devices = [
            Device(
                i + 1,
                models[i % len(models)],
                world.durations[models[i % len(models)]] * math.exp(rng.gauss(0, world.spread)),
            )
            for i in range(world.devices)
        ]
        self.waiting = list(self.devices)
        self.events: list[tuple[float, int, int]] = []  # (time, seq, device id)
        self.seq = 0
        self.budget_free = 0.0
        self.requests = 0
        self.in_flight = 0
        self.obs: dict[str, list[Observation]] = {m: [] for m in models}
        self.done = 0
        self.estimated_at: tuple[float, float] | None = None  # (when, seconds left estimated)
        self.by_id = {d.id: d for d in self.devices}

    def estimate(self, model: str) -> Estimate:
        return learning.estimate(self.obs[model][-learning.WINDOW :], self.world.learnt.get(model))

    def request(self, at: float) -> float:
        """When a request wanted at `at` is answered (the budget's pace)."""
        when = max(at, self.budget_free)
        self.budget_free = when + 1.0 / self.world.rate
        self.requests += 1
        return when

    def plan(self, dev: Device, offset: float | None) -> None:
        if offset is None:
            dev.parked, dev.read_at = True, None
            return
        dev.parked = False
        dev.read_at = dev.started + offset
        self.seq += 1
        heapq.heappush(self.events, (dev.read_at, self.seq, dev.id))

    def start_more(self, now: float) -> float:
        while self.waiting and self.in_flight < self.world.in_flight:
            dev = self.waiting.pop(0)
            now = self.request(now)
            self.in_flight += 1
            est = self.estimate(dev.model)
            open_roles = Counter(d.role for d in self.devices if d.model == dev.model and d.begun and d.done_at is None)
            dev.role, dev.index = learning.role_for(
                est, scouts_open=open_roles[learning.SCOUT], probes_open=open_roles[learning.PROBE], item_id=dev.id
            )
            dev.started, dev.begun = now, True
            self.plan(dev, learning.first_read(est, dev.role, first=self.world.first, index=dev.index))
        return now

    def replan(self, model: str, now: float) -> None:
        """Bring reads forward that what was learnt says are too late (parked ones
        included); with nobody left to learn from, parked devices become probes."""
        est = self.estimate(model)
        mine = [d for d in self.devices if d.model == model and d.done_at is None and d.begun]
        if not any(d.role in (learning.SCOUT, learning.PROBE) and not d.parked for d in mine):
            for dev in [d for d in mine if d.parked][: learning.SCOUTS]:
                dev.role = learning.PROBE if est.known else learning.SCOUT
        for dev in mine:
            offset = learning.plan(
                est, dev.role, seen_running=dev.lo, checks=dev.checks, first=self.world.first, index=dev.index
            )
            if offset is None:
                continue
            target = max(dev.started + offset, now)
            slack = max(2.0, 0.1 * (est.high or 0.0))
            if dev.read_at is None or dev.read_at - target > slack:
                self.plan(dev, target - dev.started)

    def go(self) -> Outcome:
        now = self.start_more(0.0)
        while self.events:
            at, _, dev_id = heapq.heappop(self.events)
            dev = self.by_id[dev_id]
            if dev.done_at is not None or dev.read_at != at:
                continue  # a read planned again since
            now = self.request(at)
            elapsed = now - dev.started
            before = self.estimate(dev.model)
            if elapsed >= dev.duration:
                dev.done_at = now
                self.in_flight -= 1
                self.done += 1
                if self.estimated_at is None and self.done >= min(self.world.in_flight, len(self.devices)):
                    self.estimated_at = (now, self.seconds_left())
                if dev.role != learning.REGULAR:
                    self.obs[dev.model].append(Observation(dev.lo, elapsed))
                    self.replan(dev.model, now)
                now = self.start_more(now)
                continue
            dev.lo, dev.checks = elapsed, dev.checks + 1
            self.plan(
                dev,
                learning.next_read(
                    before, dev.role, seen_running=elapsed, checks=dev.checks, first=self.world.first, index=dev.index
                ),
            )
            if dev.parked:
                self.replan(dev.model, now)
        stuck = [d for d in self.devices if d.done_at is None]
        assert not stuck, f"{len(stuck)} devices never finished (parked with nothing to learn from)"
        end = max(d.done_at or 0.0 for d in self.devices)
        outcome = Outcome(
            end,
            self.requests,
            len(self.devices),
            self.world.floor([d.duration for d in self.devices]),
            {m: self.estimate(m) for m in self.obs},
        )
        if self.estimated_at is not None:
            outcome.estimated_left, outcome.left = self.estimated_at[1], end - self.estimated_at[0]
        return outcome

    def seconds_left(self) -> float:
        """What the rollout page would say: the slowest model's upper end."""
        highs = [est.high for est in (self.estimate(m) for m in self.obs) if est.high is not None]
        now = self.budget_free
        upgrading = [now - d.started for d in self.devices if d.begun and d.done_at is None]
        waiting = sum(1 for d in self.devices if not d.begun)
        return learning.seconds_left(waiting, upgrading, self.world.in_flight, max(highs, default=0.0), self.world.rate)
