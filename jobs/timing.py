"""The engine's clocks, from settings so that tests and installations can tune them."""

from datetime import timedelta

from django.conf import settings

# A chunk task's limits (jobs/tasks.py); an item's lease outlives the hard limit, so a
# lease only expires when its worker is gone.
CHUNK_SOFT_TIME_LIMIT = 240
CHUNK_TIME_LIMIT = 300


def item_lease() -> timedelta:
    """How long a worker holds a running item before the sweeper calls it lost."""
    return timedelta(seconds=getattr(settings, "JOBS_ITEM_LEASE_SECONDS", CHUNK_TIME_LIMIT + 30))


def dispatch_grace() -> timedelta:
    """How long a pending item's chunk task may take to arrive before the sweeper sends
    another (the first was lost, or never left): long enough for a busy queue."""
    return timedelta(seconds=getattr(settings, "JOBS_DISPATCH_SECONDS", 300))
