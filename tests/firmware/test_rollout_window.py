"""A rollout's start time and daily maintenance window: the window's arithmetic in
the partner's time zone (across DST changes), and the engine starting no device
before the start or outside the window, while devices already upgrading finish."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from firmware.rollout.window import in_window, next_opening, not_before
from jobs.models import ItemState, JobItem, JobState

from .rollouts import drive, library_image, results, sim_sessions, start
from .test_rollouts import fleet, small_sim  # noqa: F401 (fixtures)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_it_opens_a_window_at_its_local_hours_on_both_sides_of_a_dst_change():
    # New York moves from UTC-5 to UTC-4 on 2027-03-14: 01:00-03:00 local is 06:00 UTC
    # the day before and 05:00 UTC the day after.
    start, end = time(1), time(3)
    assert next_opening(utc(2027, 3, 13, 0), start, end, NEW_YORK) == utc(2027, 3, 13, 6)
    assert next_opening(utc(2027, 3, 15, 0), start, end, NEW_YORK) == utc(2027, 3, 15, 5)
    # The change day: opens at 01:00 EST (06:00 UTC), and closes at 03:00 EDT, an hour
    # later in UTC terms than 03:00 EST would be: 06:59 UTC is inside.
    assert next_opening(utc(2027, 3, 14, 0), start, end, NEW_YORK) == utc(2027, 3, 14, 6)
    assert in_window(utc(2027, 3, 14, 6, 59), start, end, NEW_YORK)
    assert not in_window(utc(2027, 3, 14, 7, 0), start, end, NEW_YORK)


def test_it_opens_a_window_that_starts_in_the_spring_gap_once_the_clock_has_jumped():
    # 02:30 does not exist in New York on 2027-03-14 (02:00 EST → 03:00 EDT).
    opening = next_opening(utc(2027, 3, 14, 0), time(2, 30), time(4), NEW_YORK)
    assert opening.astimezone(NEW_YORK).hour == 3 and opening == utc(2027, 3, 14, 7, 30)
    assert in_window(opening, time(2, 30), time(4), NEW_YORK)


def test_it_opens_a_window_in_the_repeated_autumn_hour_once():
    # Berlin repeats 02:00-03:00 on 2027-10-31: the window opens at the first 02:30.
    opening = next_opening(utc(2027, 10, 30, 12), time(2, 30), time(5), BERLIN)
    assert opening == utc(2027, 10, 31, 0, 30)
    # After that opening, the next is the following night's, not the repeated hour.
    assert next_opening(utc(2027, 10, 31, 4), time(2, 30), time(5), BERLIN) == utc(2027, 11, 1, 1, 30)


def test_it_keeps_a_window_that_spans_midnight_open_on_both_sides():
    start, end = time(22), time(4)
    assert in_window(utc(2027, 6, 1, 23), start, end, ZoneInfo("UTC"))
    assert in_window(utc(2027, 6, 2, 3, 59), start, end, ZoneInfo("UTC"))
    assert not in_window(utc(2027, 6, 2, 4), start, end, ZoneInfo("UTC"))
    assert next_opening(utc(2027, 6, 2, 12), start, end, ZoneInfo("UTC")) == utc(2027, 6, 2, 22)


def test_it_lets_a_device_start_only_after_the_start_time_and_inside_the_window():
    zone = ZoneInfo("UTC")
    later = utc(2027, 6, 1, 12)
    assert not_before(utc(2027, 6, 1, 10), starts_at=later, start=None, end=None, zone=zone) == later
    assert not_before(utc(2027, 6, 1, 13), starts_at=later, start=None, end=None, zone=zone) is None
    # The start time falls outside the window: the first opening after it.
    assert not_before(utc(2027, 6, 1, 10), starts_at=later, start=time(1), end=time(3), zone=zone) == utc(2027, 6, 2, 1)
    assert not_before(utc(2027, 6, 2, 2), starts_at=later, start=time(1), end=time(3), zone=zone) is None


@pytest.mark.usefixtures("engine")
def test_it_starts_no_device_before_the_rollouts_start_time(small_sim, fleet, acme, olga):  # noqa: F811
    image = library_image(acme)
    rollout = start(acme, olga, image, starts_at=timezone.now() + timedelta(hours=2))
    job = drive(rollout, until=lambda job: True)
    assert job.state == JobState.QUEUED
    assert not sim_sessions(small_sim)
    items = JobItem.objects.filter(job=job)
    assert {item.state for item in items} == {ItemState.WAITING}
    assert {item.message for item in items} == {"Waits for the start time."}
    # The start time comes: every device is upgraded.
    items.update(next_at=timezone.now())
    type(rollout).objects.filter(id=rollout.id).update(starts_at=timezone.now())
    assert drive(rollout).state == JobState.DONE
    assert set(results(rollout).values()) == {"succeeded"}


@pytest.mark.usefixtures("engine")
def test_it_starts_no_device_outside_the_window_in_the_partners_time_zone(small_sim, fleet, acme, olga):  # noqa: F811
    # A two-hour window that is closed now, in the partner's own zone.
    acme.time_zone = "Asia/Kolkata"
    acme.save()
    local_now = timezone.now().astimezone(ZoneInfo("Asia/Kolkata"))
    opens = (local_now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    closes = (local_now + timedelta(hours=5)).time().replace(second=0, microsecond=0)
    image = library_image(acme)
    rollout = start(acme, olga, image, window_start=opens, window_end=closes)
    job = drive(rollout, until=lambda job: not JobItem.objects.filter(job=job, state=ItemState.PENDING).exists())
    waiting = JobItem.objects.filter(job=job, message="Waits for the maintenance window.")
    assert waiting.count() == len(fleet) and not sim_sessions(small_sim)
    expected = next_opening(timezone.now(), opens, closes, ZoneInfo("Asia/Kolkata"))
    assert all(item.next_at and abs((item.next_at - expected).total_seconds()) < 90 for item in waiting)
    # The window opens: now is inside it.
    type(rollout).objects.filter(id=rollout.id).update(window_start=time(0), window_end=time(23, 59, 59))
    waiting.update(next_at=timezone.now())
    assert drive(rollout).state == JobState.DONE
    assert set(results(rollout).values()) == {"succeeded"}
