"""A day's clips as a 24-hour timeline, drawn by the server as SVG (no inline styles
or scripts: CSP). One unit is one minute: the viewBox is 1440 wide."""

import datetime as dt
from dataclasses import dataclass

from rop.models import Recording

DAY_MINUTES = 24 * 60
# A clip of a few seconds still shows as a visible sliver.
MIN_WIDTH = 1.0


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[tuple[int, str]]  # (x, "06:00")
    window: tuple[float, float] | None  # the range asked for (x, width)


def _minutes(moment: dt.datetime, day: dt.date) -> float:
    offset = (moment - dt.datetime.combine(day, dt.time())).total_seconds() / 60
    return min(max(offset, 0.0), DAY_MINUTES)


def timeline(day: dt.date, clips: list[Recording], start: dt.time, end: dt.time) -> Timeline:
    bars = []
    for clip in clips:
        x = _minutes(clip.start_time, day)
        width = max(MIN_WIDTH, _minutes(clip.end_time, day) - x)
        label = f"{clip.start_time:%H:%M:%S}–{clip.end_time:%H:%M:%S}"
        bars.append(Bar(round(x, 2), round(width, 2), label))
    ticks = [(hour * 60, f"{hour:02d}:00") for hour in range(0, 25, 3)]
    lo = _minutes(dt.datetime.combine(day, start), day)
    hi = _minutes(dt.datetime.combine(day, end), day)
    whole_day = lo == 0 and hi >= DAY_MINUTES - 1
    return Timeline(bars, ticks, None if whole_day else (round(lo, 2), round(hi - lo, 2)))
