"""Deterministic recordings per (seed, uid, channel, day).

A day's list is generated from a RNG seeded by those four values, so the
calendar, the day lists, their pages and play-session look-ups all agree and
repeat across runs. Roughly: a quarter of the days are empty, one in ten has
81-120 clips (three pages of 40), the rest 3-40.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from dataclasses import dataclass

FILE_RE = re.compile(r"/Rec([MS])(\d{2})_DST(\d{8})_(\d{6})_(\d{6})_")


@dataclass(frozen=True)
class Recording:
    channel: int
    stream_type: str
    start: dt.datetime
    end: dt.datetime
    file_name: str

    def as_item(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "streamType": self.stream_type,
            "startTime": self.start.strftime("%Y-%m-%d %H:%M:%S"),
            "endTime": self.end.strftime("%Y-%m-%d %H:%M:%S"),
            "fileName": self.file_name,
        }


@functools.lru_cache(maxsize=4096)
def _day_slots(seed: int, uid: str, channel: int, day: dt.date) -> tuple[tuple[int, int, str], ...]:
    rng = random.Random(f"ropsim-rec:{seed}:{uid}:{channel}:{day.isoformat()}")
    roll = rng.random()
    if roll < 0.25:
        return ()
    count = rng.randint(81, 120) if roll < 0.35 else rng.randint(3, 40)
    starts = sorted(rng.sample(range(0, 86400 - 700, 7), count))
    slots = []
    for i, start in enumerate(starts):
        end = start + rng.randint(10, 600)
        if i + 1 < len(starts):
            end = min(end, starts[i + 1] - 1)  # clips never overlap
        slots.append((start, end, f"{rng.getrandbits(28):X}_{rng.getrandbits(24):X}"))
    return tuple(slots)


def day_recordings(
    seed: int, uid: str, channel: int, day: dt.date, stream_type: str, now: dt.datetime
) -> list[Recording]:
    """Clips of one day; the main and sub streams are recorded together (same times)."""
    if day > now.date():
        return []
    midnight = dt.datetime.combine(day, dt.time())
    letter = "M" if stream_type == "mainStream" else "S"
    out = []
    for start_s, end_s, tail in _day_slots(seed, uid, channel, day):
        start = midnight + dt.timedelta(seconds=start_s)
        end = midnight + dt.timedelta(seconds=end_s)
        if end > now:  # still being recorded (or in the future)
            break
        name = (
            f"/mnt/sda/Mp4Record/{day.isoformat()}/Rec{letter}{channel:02d}_DST{day:%Y%m%d}_"
            f"{start:%H%M%S}_{end:%H%M%S}_{tail}.mp4"
        )
        out.append(Recording(channel, stream_type, start, end, name))
    return out


def recordings_between(
    seed: int, uid: str, channel: int, stream_type: str, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[Recording]:
    """Clips overlapping [start, end] (inclusive end, as "23:59:59" suggests)."""
    out: list[Recording] = []
    day = start.date()
    while day <= end.date():
        for rec in day_recordings(seed, uid, channel, day, stream_type, now):
            if rec.end >= start and rec.start <= end:
                out.append(rec)
        day += dt.timedelta(days=1)
    return out


def days_with_recordings(seed: int, uid: str, channel: int, year: int, month: int, now: dt.datetime) -> list[int]:
    day = dt.date(year, month, 1)
    days = []
    while day.month == month:
        if day_recordings(seed, uid, channel, day, "mainStream", now):
            days.append(day.day)
        day += dt.timedelta(days=1)
    return days


def find_recording(seed: int, uid: str, channel: int, file_name: str, now: dt.datetime) -> Recording | None:
    m = FILE_RE.search(file_name)
    if not m or int(m.group(2)) != channel:
        return None
    try:
        day = dt.datetime.strptime(m.group(3), "%Y%m%d").date()
    except ValueError:
        return None
    stream = "mainStream" if m.group(1) == "M" else "subStream"
    for rec in day_recordings(seed, uid, channel, day, stream, now):
        if rec.file_name == file_name:
            return rec
    return None
