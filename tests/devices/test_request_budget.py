"""The partner's request budget is one bucket in Redis shared by every worker.

Counts acquisitions over a measured window rather than asserting on tight timings,
so a loaded machine can only make the numbers smaller, never the test flaky."""

import threading
import time
import uuid

import pytest

from core.request_budget import BudgetTimeout, RequestBudget, _redis

pytestmark = pytest.mark.skipif(_redis() is None, reason="the shared budget needs Redis (REDIS_URL)")

RATE = 20.0


def hammer(budget: RequestBudget, until: float, stamps: list[float], lock: threading.Lock) -> None:
    while time.monotonic() < until:
        try:
            budget.acquire()
        except BudgetTimeout:
            continue
        with lock:
            stamps.append(time.monotonic())


def test_it_keeps_two_workers_sharing_a_budget_within_its_rate():
    key = f"test:{uuid.uuid4().hex}"
    # Two "workers": separate RequestBudget objects (as two processes would build), same key.
    workers = [RequestBudget(key, RATE, max_wait=5) for _ in range(2)]
    stamps: list[float] = []
    lock = threading.Lock()
    started = time.monotonic()
    until = started + 3.0
    threads = [threading.Thread(target=hammer, args=(w, until, stamps, lock)) for w in workers for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    elapsed = max(stamps) - started
    burst = workers[0].burst
    # At most the initial burst plus the rate over the time that passed (one of slack for
    # the token in flight) — and well under what two independent buckets would allow.
    assert len(stamps) <= burst + RATE * elapsed + 1, (len(stamps), elapsed)
    assert len(stamps) < 2 * (burst + RATE * elapsed) * 0.75
    # It is a budget, not a stop: the workers together did get a fair share of the rate.
    assert len(stamps) >= RATE * 3.0 * 0.5
    # No second after the burst ever saw more than the rate (slack of one token per thread:
    # each may stamp its grant late if the machine is busy).
    after_burst = [s for s in stamps if s > started + 1.0]
    for second_start in (started + 1.0, started + 1.5):
        in_window = sum(1 for s in after_burst if second_start <= s < second_start + 1.0)
        assert in_window <= RATE + len(threads), in_window


def test_it_raises_budget_timeout_when_exhausted_instead_of_waiting_forever():
    key = f"test:{uuid.uuid4().hex}"
    budget = RequestBudget(key, 0.5, burst=1, max_wait=0.2)
    budget.acquire()  # the one token of the burst
    with pytest.raises(BudgetTimeout):
        RequestBudget(key, 0.5, burst=1, max_wait=0.2).acquire()  # another worker, same bucket
