"""When a rollout may start devices: not before its start time, and only inside its
daily maintenance window. The window is wall-clock times in the partner's time zone,
so it is computed on local dates and converted per day: across a DST change the
window keeps its local hours (02:00-04:00 stays 02:00-04:00, however many UTC hours
that is), an opening that falls in the spring-forward gap opens as far past the
jump as it was into the gap (02:30 opens at 03:30), and one in the repeated autumn
hour opens at its first occurrence."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall-clock time (fold=0: the first of a repeated hour;
    a time in a gap maps to the moment the clock jumps past it)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def in_window(moment: datetime, start: time, end: time, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone).time().replace(tzinfo=None)
    if start == end:
        return True  # a window of the whole day
    if start < end:
        return start <= local < end
    return local >= start or local < end  # spans midnight


def next_opening(moment: datetime, start: time, end: time, zone: ZoneInfo) -> datetime:
    """The first moment after `moment` the window opens (moment is outside it)."""
    today = moment.astimezone(zone).date()
    for days in range(0, 3):
        opening = _at(today + timedelta(days=days), start, zone)
        if opening > moment:
            return opening
    return _at(today + timedelta(days=3), start, zone)  # not reached: a day always has an opening


def not_before(
    moment: datetime, *, starts_at: datetime | None, start: time | None, end: time | None, zone: ZoneInfo
) -> datetime | None:
    """None when a device may start now; else the moment to look again."""
    earliest = starts_at if starts_at is not None and moment < starts_at else moment
    if start is not None and end is not None and not in_window(earliest, start, end, zone):
        return next_opening(earliest, start, end, zone)
    return earliest if earliest > moment else None
