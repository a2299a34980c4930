"""The device page's recordings: the days of a month that have some, the clips of a
day (every nextToken page), and a playback session. Reads, so only the playback
session (it hands out a credential) is audited; failures come back in words."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from audit import services as audit
from devices.connection import ROP_FAILURES
from devices.models import Device
from rop import RopClient
from rop.models import Recording, StreamSession

from . import connection
from .problems import Failure, failure_of

# The most clips one day view lists (25 pages of 40): a camera recording every few
# seconds all day is shown up to here, with a note, instead of holding a worker.
MAX_DAY_CLIPS = 1000


@dataclass(frozen=True)
class Day:
    clips: list[Recording]
    truncated: bool


@dataclass(frozen=True)
class Read[T]:
    value: T | None = None
    failure: Failure | None = None


def month_days(device: Device, channel: int, year: int, month: int, client: RopClient | None = None) -> Read[list[int]]:
    try:
        with connection.interactive(device.partner, client) as rop:
            return Read(rop.get_recording_days(device.uid, channel, year, month))
    except ROP_FAILURES as exc:
        return Read(failure=failure_of(exc))


def day_clips(
    device: Device,
    channel: int,
    stream_type: str,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    client: RopClient | None = None,
) -> Read[Day]:
    """Every clip overlapping [start, end] of `day`, in the camera's order (by time)."""
    clips: list[Recording] = []
    try:
        with connection.interactive(device.partner, client) as rop:
            for clip in rop.iter_recordings(device.uid, channel, stream_type, day, start, end):
                if len(clips) == MAX_DAY_CLIPS:
                    return Read(Day(clips, truncated=True))
                clips.append(clip)
    except ROP_FAILURES as exc:
        return Read(failure=failure_of(exc))
    return Read(Day(clips, truncated=False))


def open_playback(
    device: Device, user: Any, channel: int, file_name: str, client: RopClient | None = None
) -> Read[StreamSession]:
    """A playback address for one clip. The address is a credential: it goes to the
    caller only; the audit log keeps who asked for which file."""
    params = {"channel": channel, "file_name": file_name}
    try:
        with connection.interactive(device.partner, client) as rop:
            session = rop.create_playback_session(device.uid, channel, file_name)
    except ROP_FAILURES as exc:
        failure = failure_of(exc)
        audit.record(
            device.partner,
            "recordings.playback",
            user=user,
            target=device,
            params=params,
            result="error",
            message=failure.message,
        )
        return Read(failure=failure)
    audit.record(device.partner, "recordings.playback", user=user, target=device, params=params)
    return Read(session)
