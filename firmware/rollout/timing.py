"""How long to wait, for one device of a rollout. Reading an upgrade session costs
a request of the partner's budget, so a session is read when it can have finished:
at the typical upgrade time of this rollout (learnt from the devices it upgraded,
a default until then), then less and less often."""

from datetime import timedelta
from statistics import mean

from django.conf import settings

from jobs.models import ItemState, JobItem

# Seconds an upgrade takes until the rollout has seen some (a camera downloads,
# checks, writes and reboots: minutes).
DEFAULT_UPGRADE_SECONDS = 300.0
# First wait before trying an offline or asleep device again; doubles up to 8 times that.
DEFAULT_RETRY_SECONDS = 300.0
# Wait before trying a low-battery device again (it may charge meanwhile).
DEFAULT_DEFER_SECONDS = 1800.0
# The longest wait between two reads of one session.
MAX_CHECK_SECONDS = 600.0
# Without a deadline, tries of an unreachable (or low-battery) device before it is
# skipped (or left deferred): about a day with the default back-off.
MAX_TRIES = 24
# Successful upgrades the typical time is learnt from (the most recent).
LEARN_FROM = 25
# One device in this many has its session read early (first_check).
PROBE_EVERY = 10


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def default_upgrade_seconds() -> float:
    return _setting("ROLLOUT_UPGRADE_SECONDS", DEFAULT_UPGRADE_SECONDS)


def retry_seconds() -> float:
    return _setting("ROLLOUT_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)


def defer_seconds() -> float:
    return _setting("ROLLOUT_DEFER_SECONDS", DEFAULT_DEFER_SECONDS)


def typical_upgrade_seconds(job_id: int) -> float:
    """The mean time of this rollout's recent successful upgrades, or the default. The
    mean, not the median: most devices are found done at their first read and record
    that read's time; the probes' earlier reads pull the mean down until reads start
    finding upgrades running, which pull it up (about one device in eight then needs a
    second read)."""
    took = [
        float(value)
        for value in JobItem.objects.filter(job_id=job_id, state=ItemState.DONE, result="succeeded")
        .order_by("-updated_at")
        .values_list("data__took", flat=True)[:LEARN_FROM]
        if isinstance(value, int | float)
    ]
    return mean(took) if took else default_upgrade_seconds()


def first_check(typical: float, *, probe: bool = False) -> timedelta:
    """At the typical time: most upgrades are over then, and one read says so (a read
    that finds it still running costs a request). A device found done at its first read
    took at most that long, so the learnt time never goes down by itself: one device in
    PROBE_EVERY (a probe) is read a little earlier, and the fleet's time follows quicker
    upgrades down as well as slower ones up."""
    return timedelta(seconds=typical * (0.8 if probe else 1.0))


def next_check(typical: float, checks: int) -> timedelta:
    """After `checks` reads that found the upgrade still running: a quarter of the
    typical time, doubling each read, at most MAX_CHECK_SECONDS."""
    seconds = typical * 0.25 * (2 ** min(checks - 1, 10))
    return timedelta(seconds=min(max(seconds, 0.1), max(MAX_CHECK_SECONDS, typical)))


def retry_after(tries: int, base: float) -> timedelta:
    """The tries-th wait for an unreachable device: base, 2×, 4×, up to 8× base."""
    return timedelta(seconds=base * min(2 ** max(tries - 1, 0), 8))
