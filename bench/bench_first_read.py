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

The rows live in a dedicated database (rop_fleet_bench_first_read), created and dropped.

    make bench ARGS=first_read
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEVICES = 10_000
RATE = 200.0
BENCH_DB = "rop_fleet_bench_first_read"
TOKEN = "bench-first-read"
SLOTS = 12  # worker slots polling at once
GIVE_UP_SECONDS = 900


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
    cmd += ["--rate-limit", str(RATE), "--log-level", "WARNING", "--no-demo-states", f"--token={TOKEN}"]
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


def _counters(port: int) -> tuple[int, int]:
    """(answered requests that were not 429, 429 answers) on the ROP routes."""
    counters = requests.get(f"http://127.0.0.1:{port}/_sim/counters", timeout=10).json()
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
    _django()
    # One line per refused PIR read of a camera without PIR would cost more than the reads.
    logging.getLogger("rop").setLevel(logging.WARNING)
    logging.getLogger("devices").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from devices.models import Device
    from devices.sync import sync_partner
    from partners.circuit import close_all_circuits
    from partners.models import Partner

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise RuntimeError("this benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    port = _free_port()
    sim = _start_sim(port)
    share = settings.POLL_BUDGET_SHARE
    try:
        settings.POLL_BUDGET_SHARE = 1.0
        close_all_circuits()
        partner = Partner.objects.create(
            name="First read",
            slug="first-read",
            rop_base_url=f"http://127.0.0.1:{port}",
            gateway_token=TOKEN,
            request_budget=RATE,
        )
        from core.request_budget import _redis

        client = _redis()
        assert client is not None
        client.delete(f"rop-budget:partner:{partner.id}")  # a bucket of an earlier run
        started = time.monotonic()
        sync_partner(partner)
        online = Device.objects.filter(partner=partner, online=True).count()
        print(f"  synced {online:,} online devices in {time.monotonic() - started:.1f} s", file=sys.stderr)
        time.sleep(2)  # both buckets full again: the read starts from a rested budget
        requests.post(f"http://127.0.0.1:{port}/_sim/counters/reset", timeout=10)
        elapsed = _first_read(partner.id)
        needed, refused = _counters(port)
    finally:
        settings.POLL_BUDGET_SHARE = share
        sim.terminate()
        sim.wait(timeout=20)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    floor = needed / RATE
    label = f"first read of a newly synced {online:,}-device fleet, 200 req/s budget and gateway limit"
    return [
        {
            "benchmark": f"{label} ({needed:,} requests, sweeps + poll tasks in {SLOTS} slots, budget share 1.0)",
            "figure": round(elapsed, 1),
            "unit": "s",
            "baseline": round(floor, 1),
            "baseline_name": "floor (requests / 200 per s)",
            "ratio": round(elapsed / floor, 2),
            "target": "near the floor",
        },
        {
            "benchmark": f"{label}: share of answers that were 429 ({refused:,} of {needed + refused:,})",
            "figure": round(100 * refused / max(1, needed + refused), 2),
            "unit": "%",
            "baseline": "",
            "baseline_name": "",
            "ratio": None,
            "target": "low",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
