"""How long to wait, for one device of a rollout. Reading an upgrade session costs
a request of the partner's budget, so a session is read when it can have finished:
at the typical upgrade time of this rollout (learnt from the devices it upgraded,
a default until then), then less and less often."""

from datetime import timedelta
from statistics import median

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


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def default_upgrade_seconds() -> float:
    return _setting("ROLLOUT_UPGRADE_SECONDS", DEFAULT_UPGRADE_SECONDS)


def retry_seconds() -> float:
    return _setting("ROLLOUT_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)


def defer_seconds() -> float:
    return _setting("ROLLOUT_DEFER_SECONDS", DEFAULT_DEFER_SECONDS)


def typical_upgrade_seconds(job_id: int) -> float:
    """The median time of this rollout's recent successful upgrades, or the default."""
    took = [
        float(value)
        for value in JobItem.objects.filter(job_id=job_id, state=ItemState.DONE, result="succeeded")
        .order_by("-updated_at")
        .values_list("data__took", flat=True)[:LEARN_FROM]
        if isinstance(value, int | float)
    ]
    return median(took) if took else default_upgrade_seconds()


def first_check(typical: float) -> timedelta:
    """A little before the typical time: a read that finds it done then says it was
    quicker, and the learnt time follows the fleet down as well as up."""
    return timedelta(seconds=typical * 0.8)


def next_check(typical: float, checks: int) -> timedelta:
    """After `checks` reads that found the upgrade still running: a quarter of the
    typical time, doubling each read, at most MAX_CHECK_SECONDS."""
    seconds = typical * 0.25 * (2 ** min(checks - 1, 10))
    return timedelta(seconds=min(max(seconds, 0.1), max(MAX_CHECK_SECONDS, typical)))


def retry_after(tries: int, base: float) -> timedelta:
    """The tries-th wait for an unreachable device: base, 2×, 4×, up to 8× base."""
    return timedelta(seconds=base * min(2 ** max(tries - 1, 0), 8))
