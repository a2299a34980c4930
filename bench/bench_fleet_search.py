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

The rows live in a dedicated database (rop_fleet_bench_fleet_search), created and dropped.

    make bench ARGS=fleet_search
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEVICES = 500
LATENCY_MS = 50.0
RATE = float(os.environ.get("BENCH_SEARCH_RATE", "100"))
SLOTS = 16
BENCH_DB = "rop_fleet_bench_fleet_search"
TOKEN = "bench-fleet-search"
GIVE_UP_SECONDS = 170


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.test_settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start_sim(port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "ropsim", "--devices", str(DEVICES), "--seed", "7", "--port", str(port)]
    cmd += ["--latency-ms", str(LATENCY_MS), "--log-level", "WARNING", "--no-demo-states", f"--token={TOKEN}"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_sim/health", timeout=2).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("ropsim did not start")


def _record_requests(port: int) -> int:
    counters = requests.get(f"http://127.0.0.1:{port}/_sim/counters", timeout=10).json()
    return sum(entry["count"] for route, entry in counters.items() if "/records" in route)


def run() -> list[dict[str, Any]]:
    _django()
    logging.getLogger("rop").setLevel(logging.WARNING)
    logging.getLogger("celery").setLevel(logging.WARNING)
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from core.request_budget import _redis
    from devices.models import Device
    from devices.sync import sync_partner
    from jobs.dispatch import CHUNK_SIZE
    from jobs.models import Job, JobState
    from partners.circuit import close_all_circuits
    from partners.models import Partner
    from recordings.search import start_search
    from rop_fleet.celery import app

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise RuntimeError("this benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    port = _free_port()
    sim = _start_sim(port)
    try:
        close_all_circuits()
        partner = Partner.objects.create(
            name="Fleet search",
            slug="fleet-search",
            rop_base_url=f"http://127.0.0.1:{port}",
            gateway_token=TOKEN,
            request_budget=RATE,
        )
        redis = _redis()
        assert redis is not None
        redis.delete(f"rop-budget:partner:{partner.id}")
        sync_partner(partner)
        ids = list(Device.objects.filter(partner=partner).values_list("id", flat=True))
        asked = Device.objects.filter(partner=partner, online=True).exclude(family="battery").count()
        time.sleep(2)  # a rested budget
        requests.post(f"http://127.0.0.1:{port}/_sim/counters/reset", timeout=10)
        day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        with start_worker(app, pool="threads", concurrency=SLOTS, perform_ping_check=False, shutdown_timeout=30):
            started = time.monotonic()
            search = start_search(
                partner,
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
        needed = _record_requests(port)
        hits = search.hits.count()
    finally:
        sim.terminate()
        sim.wait(timeout=20)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    concurrency = min(math.ceil(len(ids) / CHUNK_SIZE), SLOTS, settings.RECORDING_SEARCH_CONCURRENCY or SLOTS)
    budget_floor = needed / RATE
    latency_floor = needed * LATENCY_MS / 1000 / concurrency
    floor = max(budget_floor, latency_floor)
    which = "requests / budget" if budget_floor >= latency_floor else f"requests × 50 ms / {concurrency}"
    return [
        {
            "benchmark": (
                f"fleet recording search of one day over {len(ids)} devices ({asked} asked, {needed:,} requests, "
                f"{hits:,} recordings), 50 ms latency, {RATE:g} req/s budget, {SLOTS} worker threads"
            ),
            "figure": round(elapsed, 2),
            "unit": "s",
            "baseline": round(floor, 2),
            "baseline_name": f"floor ({which}; the other {min(budget_floor, latency_floor):.2f} s)",
            "ratio": round(elapsed / floor, 2),
            "target": "near the floor",
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
