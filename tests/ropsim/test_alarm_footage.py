"""Cameras record on motion: every alarm ropsim sends (webhook or LAN motion/AI state) leaves
a clip on that device and channel, listed by the calendar and the day, and playable."""

from __future__ import annotations

import datetime as dt

from ropsim import recordings
from ropsim.clock import FrozenClock
from ropsim.fleet import Fleet, SimDevice
from ropsim.lan.state import LanOptions, LanState
from tests.ropsim.conftest import SEED, Api

NOON = dt.datetime(2026, 3, 3, 12, 0, 0)
NOON_DAY = NOON.date()


def frozen_fleet(at: dt.datetime = NOON, seed: int = SEED) -> Fleet:
    return Fleet.generate(20, seed=seed, clock=FrozenClock(at.replace(tzinfo=dt.UTC).timestamp()))


def now_of(fleet: Fleet) -> dt.datetime:
    return dt.datetime.fromtimestamp(fleet.clock.now(), dt.UTC).replace(tzinfo=None)


def recorder(fleet: Fleet) -> SimDevice:
    return next(d for d in fleet.devices.values() if d.has_recordings and d.model.channels == 1)


def clips_of(fleet: Fleet, uid: str, day: dt.date = NOON_DAY, channel: int = 0) -> list[recordings.Recording]:
    return recordings.day_recordings(SEED, uid, channel, day, "mainStream", now_of(fleet), fleet.footage)


def seeded_clips(fleet: Fleet, uid: str, day: dt.date) -> list[recordings.Recording]:
    return recordings.day_recordings(SEED, uid, 0, day, "mainStream", now_of(fleet))


def empty_day(uid: str) -> dt.date:
    """A day on which the seeded generator recorded nothing on channel 0."""
    day = NOON.date()
    while recordings.day_recordings(SEED, uid, 0, day, "mainStream", dt.datetime(2100, 1, 1)):
        day -= dt.timedelta(days=1)
    return day


def test_it_records_an_alarm_from_a_few_seconds_before_to_some_seconds_after() -> None:
    probe = recorder(frozen_fleet())
    at = dt.datetime.combine(empty_day(probe.uid), dt.time(12))
    fleet = frozen_fleet(at)
    dev = fleet.devices[probe.uid]
    fleet.raise_alarm(dev.uid, 0, "MD", ["people"])
    assert clips_of(fleet, dev.uid, at.date()) == []  # still being recorded: listed once it ends
    fleet.clock.advance(30)
    [clip] = clips_of(fleet, dev.uid, at.date())
    assert at - dt.timedelta(seconds=8) <= clip.start <= at - dt.timedelta(seconds=3)
    assert at + dt.timedelta(seconds=10) <= clip.end <= at + dt.timedelta(seconds=20)
    assert recordings.find_recording(SEED, dev.uid, 0, clip.file_name, now_of(fleet), fleet.footage) == clip
    assert at.day in recordings.days_with_recordings(SEED, dev.uid, 0, at.year, at.month, now_of(fleet), fleet.footage)


def test_it_merges_alarms_into_the_clip_still_being_recorded() -> None:
    probe = recorder(frozen_fleet())
    at = dt.datetime.combine(empty_day(probe.uid), dt.time(12))
    fleet = frozen_fleet(at)
    uid = probe.uid
    for _ in range(5):  # a camera that keeps seeing motion keeps one clip going
        fleet.raise_alarm(uid, 0, "MD")
        fleet.clock.advance(5)
    fleet.clock.advance(30)
    [clip] = clips_of(fleet, uid, at.date())
    assert clip.start <= at and clip.end >= at + dt.timedelta(seconds=30)


def test_it_extends_a_seeded_clip_that_is_being_recorded_when_the_alarm_comes() -> None:
    fleet = frozen_fleet()
    uid = recorder(fleet).uid
    day = NOON.date() - dt.timedelta(days=1)
    seeded = next(c for c in seeded_clips(fleet, uid, day) if (c.end - c.start).total_seconds() >= 60)
    at = seeded.start + dt.timedelta(seconds=20)
    fleet = frozen_fleet(at)
    fleet.raise_alarm(uid, 0, "MD")
    fleet.clock.advance(seeded.end.timestamp() - at.timestamp() + 60)
    [clip] = [c for c in clips_of(fleet, uid, day) if c.start <= at <= c.end]
    assert clip.start == seeded.start and clip.end >= max(seeded.end, at + dt.timedelta(seconds=10))
    assert clip.file_name.rsplit("_", 2)[-2:] == seeded.file_name.rsplit("_", 2)[-2:]  # its own tail


def test_it_never_changes_a_clip_that_had_ended_before_the_alarm() -> None:
    fleet = frozen_fleet()
    uid = recorder(fleet).uid
    day = NOON.date() - dt.timedelta(days=1)
    ended = seeded_clips(fleet, uid, day)[0]
    at = ended.end + dt.timedelta(seconds=2)  # within the pre-roll
    fleet = frozen_fleet(at)
    fleet.raise_alarm(uid, 0, "MD")
    fleet.clock.advance(60)
    clips = clips_of(fleet, uid, day)
    assert ended in clips
    [footage] = [c for c in clips if c.start <= at <= c.end]
    assert footage.start > ended.end


def test_it_keeps_no_footage_on_a_device_without_an_sd_card_nor_for_the_end_of_an_alarm() -> None:
    fleet = frozen_fleet()
    dev = recorder(fleet)
    dev.sd_card_inserted = False
    fleet.raise_alarm(dev.uid, 0, "MD", ["people"])
    fleet.clock.advance(30)
    dev.sd_card_inserted = True
    other = next(d for d in fleet.devices.values() if d.has_recordings and d is not dev)
    fleet.raise_alarm(other.uid, 0, "none")  # the end of an alarm records nothing
    assert fleet.footage.on_day(dev.uid, 0, NOON.date()) == ()
    assert fleet.footage.on_day(other.uid, 0, NOON.date()) == ()
    assert clips_of(fleet, dev.uid) == seeded_clips(fleet, dev.uid, NOON.date())


def test_it_draws_the_same_footage_under_the_same_seed() -> None:
    def run() -> list[str]:
        fleet = frozen_fleet()
        uid = recorder(fleet).uid
        for seconds in (0, 7, 90, 400):
            fleet.raise_alarm(uid, 0, "MD")
            fleet.clock.advance(seconds)
        fleet.clock.advance(60)
        return [c.file_name for c in clips_of(fleet, uid)]

    assert run() == run()


def test_it_records_the_alarms_that_turn_a_lan_cameras_motion_state_on() -> None:
    fleet = frozen_fleet()
    dev = recorder(fleet)
    state = LanState(fleet, LanOptions(alarm_hold_seconds=10))
    lan = state.add(dev)
    state.subscribe()
    fleet.raise_alarm(dev.uid, 0, "MD", ["vehicle"])
    assert lan.motion(0) and lan.ai(0, "vehicle")
    fleet.clock.advance(30)
    assert [c for c in clips_of(fleet, dev.uid) if c.start <= NOON <= c.end]


def test_it_lists_and_plays_an_alarms_clip_over_http(api: Api) -> None:
    dev = api.add("RLC-810A")
    # Random alarms go the same way as the control API's.
    api.running.call(api.sim.raise_random_alarm, dev)
    at = dt.datetime.fromtimestamp(api.sim.now(), dt.UTC).replace(tzinfo=None)
    api.advance(30)
    minute = at.replace(second=0)
    query = {
        "channel": 0,
        "stream_type": "mainStream",
        "record_date": at.date().isoformat(),
        "start_at": f"{minute:%H:%M:%S}",
        "end_at": f"{minute + dt.timedelta(seconds=59):%H:%M:%S}",
    }
    body = api.get(f"/v1.0/devices/{dev.uid}/records", params=query).json()
    items = [i for i in body["items"] if i["startTime"] <= f"{at:%Y-%m-%d %H:%M:%S}" <= i["endTime"]]
    assert len(items) == 1, body
    calendar = api.get(
        f"/v1.0/devices/{dev.uid}/records/calendar", params={"channel": 0, "year": at.year, "month": at.month}
    ).json()
    assert {"channel": 0, "date": at.day} in calendar["items"]
    play = api.post(
        f"/v1.0/devices/{dev.uid}/records/play-session", json={"channel": 0, "fileName": items[0]["fileName"]}
    )
    assert play.status_code == 200 and play.json()["playURL"].startswith("rtsp://")
