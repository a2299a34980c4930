"""Fixtures of the device tests.

clock: the console's clock, moved forward by the test, so hours of sweeps run in
seconds without sleeping. It moves Django's timezone.now (every scheduling decision
reads it); ropsim keeps its own clock and the request budget Redis's, both real."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moved = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", moved)
    return moved
