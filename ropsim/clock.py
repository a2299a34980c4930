"""Injectable clock.

Everything time-dependent in the simulator (battery drain, upgrade progress,
session expiry, devices coming back online) reads time from one ``Clock`` so
tests can jump forward with ``advance()`` instead of sleeping.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock seconds plus an offset that tests (or /_sim/clock) can advance."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        # Offset from the real clock; ``start`` pins "now" to a chosen instant.
        self._offset = 0.0 if start is None else start - time.time()

    def now(self) -> float:
        """Seconds since the epoch, as the simulated world sees them."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump the simulated time forward (never backwards: sessions would resurrect)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds


class FrozenClock(Clock):
    """A clock that only moves when told to; for unit tests of pure state."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        super().__init__()
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._now += seconds
