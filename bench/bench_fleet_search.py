"""Benchmark of a fleet-wide recording search: one whole day over 500 devices, ropsim
with 50 ms injected latency on every device call, through the real path (the view's
service recordings.search.start_search, the job engine's chunk tasks on an in-process
Celery worker of SLOTS threads, the partner's request budget in Redis).

Reported beside the floor, the larger of:
- the budget's: requests the search needed (ropsim's own counters) / the partner's
  budget (RATE requests/s); and
- the latency's: requests × 50 ms / concurrency, where concurrency is the number of
  devices asked at once: min(chunks of 50 devices, worker slots, the job's in-flight cap).
A device's pages and channels are asked one after the other, so this is the floor for
perfectly spread work.

The rows live in a dedicated database (bench_db_name("fleet_search"): rop_fleet_bench_fleet_search
by default), created and dropped.

    make bench ARGS=fleet_search
    python -m bench.bench_fleet_search
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from typing import Any

from bench.support.database import bench_database, django_setup
from bench.support.fleet import partner, quiet
from bench.support.processes import Ropsim, ropsim
from bench.support.stats import row

DEVICES = 500
LATENCY_MS = 50.0
RATE = float(os.environ.get("BENCH_SEARCH_RATE", "100"))
SLOTS = 16
TOKEN = "bench-fleet-search"
GIVE_UP_SECONDS = 170


def _record_requests(sim: Ropsim) -> int:
    return sum(entry["count"] for route, entry in sim.counters().items() if "/records" in route)


def run() -> list[dict[str, Any]]:
    django_setup()
    quiet("rop", "celery")
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from devices.models import Device
    from jobs.dispatch import CHUNK_SIZE
    from jobs.models import Job, JobState
    from partners.circuit import close_all_circuits
    from recordings.search import start_search
    from rop_fleet.celery import app

    extra = ["--latency-ms", str(LATENCY_MS)]
    with bench_database("fleet_search", redis=True), ropsim(DEVICES, token=TOKEN, extra=extra) as sim:
        close_all_circuits()
        searcher = partner("fleet-search", sim=sim, token=TOKEN, request_budget=RATE)
        ids = list(Device.objects.filter(partner=searcher).values_list("id", flat=True))
        asked = Device.objects.filter(partner=searcher, online=True).exclude(family="battery").count()
        time.sleep(2)  # a rested budget
        sim.reset_counters()
        day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        with start_worker(app, pool="threads", concurrency=SLOTS, perform_ping_check=False, shutdown_timeout=30):
            started = time.monotonic()
            search = start_search(
                searcher,
                None,
                ids,
                day=day,
                start=dt.time(0),
                end=dt.time(23, 59, 59),
                stream="mainStream",
                wake_battery=False,
                scope="bench",
            )
            while Job.objects.get(id=search.job_id).state != JobState.DONE:
                if time.monotonic() - started > GIVE_UP_SECONDS:
                    raise RuntimeError("the search did not finish in time")
                time.sleep(0.05)
            elapsed = time.monotonic() - started
        needed = _record_requests(sim)
        hits = search.hits.count()
    concurrency = min(math.ceil(len(ids) / CHUNK_SIZE), SLOTS, settings.RECORDING_SEARCH_CONCURRENCY or SLOTS)
    budget_floor = needed / RATE
    latency_floor = needed * LATENCY_MS / 1000 / concurrency
    floor = max(budget_floor, latency_floor)
    which = "requests / budget" if budget_floor >= latency_floor else f"requests × 50 ms / {concurrency}"
    return [
        row(
            f"fleet recording search of one day over {len(ids)} devices ({asked} asked, {needed:,} requests, "
            f"{hits:,} recordings), 50 ms latency, {RATE:g} req/s budget, {SLOTS} worker threads",
            elapsed,
            "s",
            baseline=floor,
            baseline_name=f"floor ({which}; the other {min(budget_floor, latency_floor):.2f} s)",
            target="near the floor",
            digits=2,
        )
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
