"""Deterministic recordings per (seed, uid, channel, day), plus what alarms recorded.

A day's list is generated from a RNG seeded by those four values, so the
calendar, the day lists, their pages and play-session look-ups all agree and
repeat across runs. Roughly: a quarter of the days are empty, one in ten has
81-120 clips (three pages of 40), the rest 3-40.

Cameras record on motion: every alarm the fleet raises leaves footage
(``AlarmFootage``) from a few seconds before it to some seconds after, merged
with a clip still being recorded. A clip that had already ended is never changed
(its file name was listed), so an alarm's pre-roll starts after it.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import threading
from collections.abc import Sequence
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
        slots.append((start, end, _tail(rng)))
    return tuple(slots)


# An alarm's footage: this many seconds before it (pre-record) and after it (post-record),
# drawn per alarm from its own seeded RNG.
ALARM_PRE_SECONDS = (3, 8)
ALARM_POST_SECONDS = (10, 20)
_DAY_END = 86400 - 1


def _tail(rng: random.Random) -> str:
    return f"{rng.getrandbits(28):X}_{rng.getrandbits(24):X}"


def _merge(
    slots: Sequence[tuple[int, int, str]], extra: Sequence[tuple[int, int]], name_seed: str
) -> tuple[tuple[int, int, str], ...]:
    """The day's clips with the alarms' footage: overlapping spans become one clip, which
    keeps the file-name tail of the first recorded clip it contains."""
    if not extra:
        return tuple(slots)
    spans = sorted([(s, e, t) for s, e, t in slots] + [(s, e, "") for s, e in extra])
    out: list[tuple[int, int, str]] = []
    for start, end, tail in spans:
        if out and start <= out[-1][1]:
            first_start, first_end, first_tail = out[-1]
            out[-1] = (first_start, max(first_end, end), first_tail or tail)
        else:
            out.append((start, end, tail))
    return tuple((s, e, t or _tail(random.Random(f"{name_seed}:{s}"))) for s, e, t in out)


class AlarmFootage:
    """What alarms recorded, per device, channel and day: spans in seconds of the day
    (device local time, the simulator's UTC). Alarms may be raised from any thread."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._spans: dict[tuple[str, int, dt.date], list[tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def record(self, uid: str, channel: int, at: float) -> None:
        """An alarm at `at` (epoch seconds): footage from a few seconds before to some after."""
        moment = dt.datetime.fromtimestamp(at, dt.UTC).replace(tzinfo=None)
        day = moment.date()
        second = moment.hour * 3600 + moment.minute * 60 + moment.second
        rng = random.Random(f"ropsim-alarm-rec:{self.seed}:{uid}:{channel}:{int(at)}")
        start = max(0, second - rng.randint(*ALARM_PRE_SECONDS))
        end = min(_DAY_END, second + rng.randint(*ALARM_POST_SECONDS))
        key = (uid, channel, day)
        with self._lock:
            spans = self._spans.setdefault(key, [])
            # A clip that ended before the alarm was already listed: the footage starts after it.
            for clip in _merge(_day_slots(self.seed, uid, channel, day), spans, ""):
                clip_end = clip[1]
                if start <= clip_end < second:
                    start = clip_end + 1
            spans.append((start, end))
            spans.sort()
            merged = [spans[0]]
            for span in spans[1:]:  # an alarm storm stays a few spans
                if span[0] <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
                else:
                    merged.append(span)
            spans[:] = merged

    def on_day(self, uid: str, channel: int, day: dt.date) -> tuple[tuple[int, int], ...]:
        with self._lock:
            return tuple(self._spans.get((uid, channel, day), ()))


def day_recordings(
    seed: int,
    uid: str,
    channel: int,
    day: dt.date,
    stream_type: str,
    now: dt.datetime,
    footage: AlarmFootage | None = None,
) -> list[Recording]:
    """Clips of one day; the main and sub streams are recorded together (same times)."""
    if day > now.date():
        return []
    midnight = dt.datetime.combine(day, dt.time())
    letter = "M" if stream_type == "mainStream" else "S"
    out = []
    slots = _day_slots(seed, uid, channel, day)
    if footage is not None:
        name_seed = f"ropsim-alarm-clip:{seed}:{uid}:{channel}:{day.isoformat()}"
        slots = _merge(slots, footage.on_day(uid, channel, day), name_seed)
    for start_s, end_s, tail in slots:
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
    seed: int,
    uid: str,
    channel: int,
    stream_type: str,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    footage: AlarmFootage | None = None,
) -> list[Recording]:
    """Clips overlapping [start, end] (inclusive end, as "23:59:59" suggests)."""
    out: list[Recording] = []
    day = start.date()
    while day <= end.date():
        for rec in day_recordings(seed, uid, channel, day, stream_type, now, footage):
            if rec.end >= start and rec.start <= end:
                out.append(rec)
        day += dt.timedelta(days=1)
    return out


def days_with_recordings(
    seed: int, uid: str, channel: int, year: int, month: int, now: dt.datetime, footage: AlarmFootage | None = None
) -> list[int]:
    day = dt.date(year, month, 1)
    days = []
    while day.month == month:
        if day_recordings(seed, uid, channel, day, "mainStream", now, footage):
            days.append(day.day)
        day += dt.timedelta(days=1)
    return days


def find_recording(
    seed: int, uid: str, channel: int, file_name: str, now: dt.datetime, footage: AlarmFootage | None = None
) -> Recording | None:
    m = FILE_RE.search(file_name)
    if not m or int(m.group(2)) != channel:
        return None
    try:
        day = dt.datetime.strptime(m.group(3), "%Y%m%d").date()
    except ValueError:
        return None
    stream = "mainStream" if m.group(1) == "M" else "subStream"
    for rec in day_recordings(seed, uid, channel, day, stream, now, footage):
        if rec.file_name == file_name:
            return rec
    return None
