"""A month as weeks of days for the recordings calendar (Monday first)."""

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date | None  # None: a blank before the 1st or after the last day
    has_recordings: bool


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[CalendarDay]]
    previous: dt.date
    next: dt.date


def month(first: dt.date, days_with_recordings: list[int]) -> Month:
    have = set(days_with_recordings)
    weeks = [
        [CalendarDay(dt.date(first.year, first.month, d) if d else None, d in have) for d in week]
        for week in calendar.Calendar(calendar.MONDAY).monthdayscalendar(first.year, first.month)
    ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Month(first, weeks, previous, following)
