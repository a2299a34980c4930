"""A day's clips as timelines, drawn by the server as SVG (no inline styles or scripts:
CSP). Positions are percentages of the line's width and the SVG has no viewBox, so it
stretches to any width while its labels keep their size and shape.

Two lines: the whole day (3-hourly ticks, the range asked for marked on it), and, when a
range narrower than the day is asked for, that range zoomed to the full width with ticks
at a step that fits (an alarm's three minutes: every 30 s), so a clip of a few seconds
is a bar one can see rather than a hairline."""

import datetime as dt
from dataclasses import dataclass

from rop.models import Recording

DAY_SECONDS = 24 * 3600
# Tick steps for a zoomed range, in seconds: the smallest giving at most MAX_TICKS intervals.
STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800)
MAX_TICKS = 6
EDGE = 3.0  # a label this close (in percent) to an edge is anchored to it, not centred


@dataclass(frozen=True)
class Bar:
    x: float  # percent of the line's width
    width: float
    label: str


@dataclass(frozen=True)
class Tick:
    x: float  # percent
    label: str
    anchor: str  # "start", "middle" or "end"
    minor: bool  # dropped on narrow screens


@dataclass(frozen=True)
class Line:
    start: dt.time
    end: dt.time
    bars: list[Bar]
    ticks: list[Tick]


@dataclass(frozen=True)
class Timeline:
    day: Line
    window: tuple[float, float] | None  # the range asked for on the day line (x, width), percent
    zoom: Line | None  # the range asked for, full width


def _seconds(moment: dt.datetime, day: dt.date) -> float:
    offset = (moment - dt.datetime.combine(day, dt.time())).total_seconds()
    return min(max(offset, 0.0), DAY_SECONDS)


def _of_day(time: dt.time) -> int:
    return time.hour * 3600 + time.minute * 60 + time.second


def _anchor(x: float) -> str:
    return "start" if x < EDGE else "end" if x > 100 - EDGE else "middle"


def _line(day: dt.date, clips: list[Recording], lo: int, hi: int, ticks: list[tuple[int, str, bool]]) -> Line:
    span = max(1, hi - lo)

    def pct(second: float) -> float:
        return round((second - lo) / span * 100, 3)

    bars = []
    for clip in clips:
        start, end = _seconds(clip.start_time, day), _seconds(clip.end_time, day)
        if end < lo or start > hi:
            continue
        x = pct(max(start, lo))
        label = f"{clip.start_time:%H:%M:%S}–{clip.end_time:%H:%M:%S}"
        bars.append(Bar(x, round(pct(min(end, hi)) - x, 3), label))
    marks = [Tick(pct(s), text, _anchor(pct(s)), minor) for s, text, minor in ticks]
    return Line(_time(lo), _time(hi), bars, marks)


def _time(second: int) -> dt.time:
    second = min(second, DAY_SECONDS - 1)
    return dt.time(second // 3600, second // 60 % 60, second % 60)


def _zoom_ticks(lo: int, hi: int) -> list[tuple[int, str, bool]]:
    step = next((s for s in STEPS if (hi - lo) / s <= MAX_TICKS), STEPS[-1])
    first = -(-lo // step) * step
    fmt = "%H:%M:%S" if step < 60 else "%H:%M"
    # Every other label is minor (dropped on a phone, where six would overlap).
    return [(s, _time(s).strftime(fmt), s // step % 2 == 1) for s in range(first, hi + 1, step)]


def length(start: dt.datetime, end: dt.datetime) -> str:
    """A clip's length in words a list can show: "24 s", "3 min 5 s", "1 h 2 min"."""
    seconds = max(0, int((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds // 60 % 60} min"


def timeline(day: dt.date, clips: list[Recording], start: dt.time, end: dt.time) -> Timeline:
    hours = [(hour * 3600, f"{hour:02d}:00", hour % 6 != 0) for hour in range(0, 25, 3)]
    whole = _line(day, clips, 0, DAY_SECONDS, hours)
    lo, hi = _of_day(start), _of_day(end)
    if lo == 0 and hi >= DAY_SECONDS - 60:
        return Timeline(whole, None, None)
    window = (round(lo / DAY_SECONDS * 100, 3), round(max(hi - lo, 1) / DAY_SECONDS * 100, 3))
    return Timeline(whole, window, _line(day, clips, lo, hi, _zoom_ticks(lo, hi)))
