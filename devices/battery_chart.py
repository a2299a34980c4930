"""The device page's 7-day battery chart, drawn server-side as SVG coordinates.

One aggregate query averages the samples per hour (at most 168 points whatever
the poll interval), and the line is broken where the device was not heard from
for a while, instead of drawing a straight line across the gap.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg
from django.db.models.functions import TruncHour
from django.utils import timezone

from .models import Device, DeviceHealthSample

DAYS = 7
WIDTH, HEIGHT = 700, 160  # the SVG's viewBox; CSS scales it to the page
GAP = dt.timedelta(hours=3)


@dataclass(frozen=True)
class BatteryChart:
    lines: list[str]  # one "x,y x,y ..." per unbroken stretch
    day_ticks: list[tuple[float, str]]  # (x, label) at each midnight
    levels: list[tuple[float, int]]  # (y, percent) of the horizontal guides
    points: int
    last_percent: int | None
    last_point: tuple[float, float] | None = None  # the latest reading, marked: one point alone is a dot
    first_reading: dt.datetime | None = None  # the hour of the first reading, when after the week began
    poll_every: str = ""  # how often the console reads this device, in words

    @property
    def empty(self) -> bool:
        return self.points == 0


def _every(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    minutes = round(seconds / 60)
    return "minute" if minutes == 1 else f"{minutes} minutes"


def battery_chart(device: Device, now: dt.datetime | None = None) -> BatteryChart:
    now = now or timezone.now()
    start = now - dt.timedelta(days=DAYS)
    rows = (
        DeviceHealthSample.objects.filter(device=device, taken_at__gte=start, battery_percent__isnull=False)
        .annotate(hour=TruncHour("taken_at"))
        .values("hour")
        .annotate(percent=Avg("battery_percent"))
        .order_by("hour")
    )
    span = (now - start).total_seconds()

    def x(when: dt.datetime) -> float:
        return round(max(0.0, (when - start).total_seconds()) / span * WIDTH, 1)

    def y(percent: float) -> float:
        return round(HEIGHT - float(percent) / 100 * HEIGHT, 1)

    stretches: list[list[str]] = []
    current: list[str] = []
    previous: dt.datetime | None = None
    first: dt.datetime | None = None
    last: float | None = None
    for row in rows:
        first = first or row["hour"]
        if previous is not None and row["hour"] - previous > GAP and current:
            stretches.append(current)
            current = []
        current.append(f"{x(row['hour'])},{y(row['percent'])}")
        previous, last = row["hour"], row["percent"]
    if current:
        stretches.append(current)
    # A lone point would draw nothing as a polyline: give it a short flat segment.
    lines = [" ".join(pts if len(pts) > 1 else [pts[0], _nudge(pts[0])]) for pts in stretches]

    midnight = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    ticks: list[tuple[float, str]] = []
    for day in range(1, DAYS + 1):
        tick = midnight + dt.timedelta(days=day)
        if start < tick <= now:
            ticks.append((x(tick), tick.strftime("%a %d")))
    levels = [(y(p), p) for p in (0, 50, 100)]
    partner = device.partner
    poll = partner.battery_poll_seconds if device.family == "battery" else partner.powered_poll_seconds
    return BatteryChart(
        lines,
        ticks,
        levels,
        sum(len(line.split()) for line in lines),
        None if last is None else round(last),
        last_point=(x(previous), y(last)) if previous is not None and last is not None else None,
        # A fresh console (or device) has read it for less than the week: the chart says since when.
        first_reading=first if first is not None and first - start > dt.timedelta(days=1) else None,
        poll_every=_every(poll),
    )


def _nudge(point: str) -> str:
    px, py = point.split(",")
    return f"{min(WIDTH, float(px) + 4)},{py}"
