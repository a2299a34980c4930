"""Figures from timings, and the row every bench's run() returns (see bench/run.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (1..99), interpolated between the samples around it."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def p95(values: list[float]) -> float:
    return percentile(values, 95)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def timed(call: Callable[[], Any], n: int) -> list[float]:
    """Call `call` n times; each call's milliseconds."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def client_ms(client: Any, url: str, headers: dict[str, str] | None = None) -> float:
    """The milliseconds of one GET through the Django test Client (a 200 or an error).

    The garbage collector runs as it would: test Client responses keep their template
    contexts, so now and then a request pays a full collection (up to 80 ms) for what
    earlier ones, of either side, left behind. Collecting before each request, untimed,
    made every request slower instead (the collection walks the whole heap and leaves
    the CPU caches cold): the lightest page went from 7 to 8.6 ms."""
    started = time.perf_counter()
    response = client.get(url, secure=True, headers=headers or {})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed * 1000


def row(
    benchmark: str,
    figure: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    target: str = "",
    digits: int | None = 1,
) -> dict[str, Any]:
    """One table row: figure and baseline rounded to `digits` (None: to a whole number),
    the ratio figure / baseline from the unrounded values (none without a positive baseline)."""
    ratio = round(figure / baseline, 2) if baseline is not None and baseline > 0 else None
    return {
        "benchmark": benchmark,
        "figure": round(figure, digits),
        "unit": unit,
        "baseline": "" if baseline is None else round(baseline, digits),
        "baseline_name": baseline_name,
        "ratio": ratio,
        "target": target,
    }
