"""A tiny timer heap on the simulated clock.

Timed state changes (upgrade phases, devices coming back, random outages) are
queued here and run by ``run_due`` — called before every request and by a
background ticker — so jumping the clock ahead applies them in order.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

from ropsim.clock import Clock


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._firing_at: float | None = None

    def at(self, when: float, fn: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (when, next(self._seq), fn))

    def after(self, seconds: float, fn: Callable[[], None]) -> None:
        # From inside an event, "after" counts from that event's due time, so a big clock
        # jump replays chains of events (outage -> return -> outage) at their proper times.
        base = self._firing_at if self._firing_at is not None else self.clock.now()
        self.at(base + seconds, fn)

    def run_due(self) -> int:
        now = self.clock.now()
        ran = 0
        # Events may schedule further events; those that are already due run too.
        while self._heap and self._heap[0][0] <= now:
            when, _, fn = heapq.heappop(self._heap)
            self._firing_at = when
            try:
                fn()
            finally:
                self._firing_at = None
            ran += 1
        return ran

    def __len__(self) -> int:
        return len(self._heap)
