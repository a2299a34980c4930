"""Waves: a canary group first, then waves of a count or a percent of the rest."""

import math
from collections.abc import Sequence


def plan_waves(total: int, *, canary: int = 0, size: int | None = None, percent: int | None = None) -> list[int]:
    """Devices per wave. `size` (a count) or `percent` (of all targets) sizes the waves
    after the canary group; neither: the rest in one wave."""
    if total <= 0:
        return []
    waves: list[int] = []
    canary = max(0, min(canary, total))
    if canary:
        waves.append(canary)
    rest = total - canary
    if percent:
        size = max(1, math.ceil(total * percent / 100))
    step = size if size and size > 0 else rest
    while rest > 0:
        waves.append(min(step, rest))
        rest -= waves[-1]
    return waves


def assign(target_ids: Sequence[int], waves: Sequence[int]) -> list[list[int]]:
    """The targets of each wave, in the given order (the canary group gets the first)."""
    groups, start = [], 0
    for count in waves:
        groups.append(list(target_ids[start : start + count]))
        start += count
    return groups
