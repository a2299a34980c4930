"""Benchmark of the first full read of a newly synced 10,000-device fleet at 200 requests/s.

A ropsim of 10,000 devices (another process) whose gateway allows 200 requests/s per
token (429 frequent_request with Retry-After above it); a partner whose request budget
is 200/s. The fleet is synced, then read through the real polling path in this process:
the sweep's service (devices.polling.claim_due_devices) every POLL_SWEEP_SECONDS, and the
poll task itself (devices.tasks.polling.poll_device_task, called in a pool of threads as
worker slots) for each claimed device, until every device has been read once.

Reported beside the floor the budget sets: the requests the read needed (ropsim's own
counters: every answered request that was not a 429) divided by 200. The share of 429
answers says how well the console's budget and the gateway's agree. The poll budget
share is 1.0 here (nobody else uses the budget during the run); with the default 0.5 a
first read takes twice as long by design, leaving half the budget for people.

The rows live in a dedicated database (bench_db_name("first_read"): rop_fleet_bench_first_read
by default), created and dropped.

    make bench ARGS=first_read
    python -m bench.bench_first_read
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.support.database import bench_database, django_setup
from bench.support.fleet import partner, quiet
from bench.support.processes import Ropsim, ropsim
from bench.support.stats import row

DEVICES = 10_000
RATE = 200.0
TOKEN = "bench-first-read"
SLOTS = 12  # worker slots polling at once
GIVE_UP_SECONDS = 900


def _counters(sim: Ropsim) -> tuple[int, int]:
    """(answered requests that were not 429, 429 answers) on the ROP routes."""
    counters = sim.counters()
    total = sum(entry["count"] for entry in counters.values())
    refused = sum(entry.get("429", 0) for entry in counters.values())
    return total - refused, refused


def _first_read(partner_id: int) -> float:
    """Sweep and poll until every device has been read; the elapsed seconds."""
    from django.conf import settings
    from django.db import connection

    from devices import polling
    from devices.models import Device
    from devices.tasks.polling import poll_device_task
    from partners.models import Partner

    def poll(device_id: int) -> None:
        try:
            poll_device_task(device_id)
        finally:
            connection.close()  # each worker thread's own connection

    partner = Partner.objects.get(id=partner_id)
    unread = Device.objects.filter(partner=partner, online=True, alarm_enabled__isnull=True)
    started = time.monotonic()
    with ThreadPoolExecutor(SLOTS) as pool:
        while unread.exists():
            if time.monotonic() - started > GIVE_UP_SECONDS:
                raise RuntimeError(f"{unread.count()} devices still unread after {GIVE_UP_SECONDS} s")
            sweep_at = time.monotonic()
            ids = polling.claim_due_devices(partner)
            list(pool.map(poll, ids))
            left = unread.count()
            print(f"  {time.monotonic() - started:6.1f} s: {DEVICES - left:,} of {DEVICES:,} read", file=sys.stderr)
            if left:
                # Beat's next tick; a sweep that overran is followed at once.
                time.sleep(max(0.0, sweep_at + settings.POLL_SWEEP_SECONDS - time.monotonic()))
    return time.monotonic() - started


def run() -> list[dict[str, Any]]:
    django_setup()
    quiet("rop", "devices")
    from django.conf import settings

    from devices.models import Device
    from partners.circuit import close_all_circuits

    share = settings.POLL_BUDGET_SHARE
    extra = ["--rate-limit", str(RATE)]
    with bench_database("first_read", redis=True), ropsim(DEVICES, token=TOKEN, extra=extra) as sim:
        try:
            settings.POLL_BUDGET_SHARE = 1.0
            close_all_circuits()
            started = time.monotonic()
            reader = partner("first-read", sim=sim, token=TOKEN, request_budget=RATE)
            online = Device.objects.filter(partner=reader, online=True).count()
            print(f"  synced {online:,} online devices in {time.monotonic() - started:.1f} s", file=sys.stderr)
            time.sleep(2)  # both buckets full again: the read starts from a rested budget
            sim.reset_counters()
            elapsed = _first_read(reader.id)
            needed, refused = _counters(sim)
        finally:
            settings.POLL_BUDGET_SHARE = share
    label = f"first read of a newly synced {online:,}-device fleet, 200 req/s budget and gateway limit"
    return [
        row(
            f"{label} ({needed:,} requests, sweeps + poll tasks in {SLOTS} slots, budget share 1.0)",
            elapsed,
            "s",
            baseline=needed / RATE,
            baseline_name="floor (requests / 200 per s)",
            target="near the floor",
        ),
        row(
            f"{label}: share of answers that were 429 ({refused:,} of {needed + refused:,})",
            100 * refused / max(1, needed + refused),
            "%",
            target="low",
            digits=2,
        ),
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
