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
