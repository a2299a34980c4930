"""Benchmark of the LAN poller: 500 LAN cameras polled every 5 s by ONE poller process.

ropsim's LAN emulator serves 500 cameras (half with AI) from a thread of this process,
and raises motion/AI alarms on random cameras (2 a second, held 10 s) so the poller also
writes events. `manage.py lan_poller` runs in its own process on a dedicated database
(rop_fleet_bench_lan_poller, created and dropped) for RUN_SECONDS.

Measured on the cameras' side (ropsim's per-device request_times) over the steady
window (after WARMUP_SECONDS, once every lease is taken):
* the achieved interval between two polls of one camera, p50 and p95, beside the
  configured 5 s;
* the poller process's CPU time (from /proc, over the same window) per device-poll,
  beside the floor: the same polls from a bare asyncio loop of AsyncLanClients (no
  Django, no database, no leases, no change tracking), run first in another process.

    make bench ARGS=lan_poller
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEVICES = 500
INTERVAL_S = 5.0
RUN_SECONDS = 70.0
WARMUP_SECONDS = 15.0
FLOOR_SECONDS = 35.0
BENCH_DB = "rop_fleet_bench_lan_poller"
ALARMS_PER_SECOND = 2.0


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.test_settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _polls_between(lan: Any, uids: list[str], start: float, end: float) -> tuple[int, list[float]]:
    """(polls in [start, end], intervals between consecutive polls of each camera ending in it)."""
    count, intervals = 0, []
    for uid in uids:
        times = [t for t, cmd in list(lan.state(uid).request_times) if cmd == "GetMdState"]
        inside = [t for t in times if start <= t <= end]
        count += len(inside)
        intervals += [b - a for a, b in zip(times, times[1:], strict=False) if start <= b <= end and a >= start - 30]
    return count, intervals


def _measure(process: subprocess.Popen[str], lan: Any, uids: list[str], warmup: float, window: float) -> dict[str, Any]:
    time.sleep(warmup)
    start, cpu_start = time.monotonic(), _cpu_seconds(process.pid)
    time.sleep(window)
    end, cpu_end = time.monotonic(), _cpu_seconds(process.pid)
    polls, intervals = _polls_between(lan, uids, start, end)
    return {"polls": polls, "cpu": cpu_end - cpu_start, "intervals": intervals, "seconds": end - start}


def _alarms(fleet: Any, uids: list[str], stop: threading.Event) -> None:
    rng = random.Random(3)
    while not stop.wait(1 / ALARMS_PER_SECOND):
        fleet.raise_alarm(rng.choice(uids), 0, "MD", rng.choice([[], ["people"], ["vehicle"]]))


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


def run() -> list[dict[str, Any]]:
    _django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from devices.models import Channel, Device, Transport
    from partners.models import Partner
    from ropsim.fleet import Fleet
    from ropsim.lan import DEMO_PASSWORD, LanOptions
    from ropsim.lan.testing import LanThread

    if connection.vendor != "postgresql":
        raise RuntimeError("this benchmark needs PostgreSQL (DATABASE_URL)")
    fleet = Fleet(seed=5)
    uids = [fleet.create_device("RLC-823A" if i % 2 else "RLC-810A").uid for i in range(DEVICES)]
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    stop_alarms = threading.Event()
    lan = LanThread(fleet, options=LanOptions(alarm_hold_seconds=10)).start()
    try:
        partner = Partner.objects.create(name="LAN bench", slug="lan-bench", rop_base_url="http://127.0.0.1:9")
        endpoints = [lan.endpoint(uid) for uid in uids]
        devices = Device.objects.bulk_create(
            Device(
                partner=partner,
                uid=ep.uid,
                transport=Transport.LAN,
                lan_host=ep.host,
                lan_port=ep.port,
                lan_username=ep.username,
                lan_password=DEMO_PASSWORD,
                lan_status_interval_ms=int(INTERVAL_S * 1000),
            )
            for ep in endpoints
        )
        Channel.objects.bulk_create(Channel(device=d, index=0) for d in devices)
        threading.Thread(target=_alarms, args=(fleet, uids, stop_alarms), daemon=True).start()

        floor_args = json.dumps([[ep.host, ep.port] for ep in endpoints])
        floor = subprocess.Popen(
            [sys.executable, __file__, "--floor", str(FLOOR_SECONDS)], stdin=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert floor.stdin is not None
        floor.stdin.write(floor_args)
        floor.stdin.close()
        bare = _measure(floor, lan, uids, WARMUP_SECONDS, FLOOR_SECONDS - WARMUP_SECONDS - 3)
        floor.wait(60)

        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "LOG_LEVEL": "WARNING",
        }
        poller = subprocess.Popen(
            [sys.executable, "manage.py", "lan_poller", f"--run-seconds={RUN_SECONDS}"], cwd=ROOT, env=env, text=True
        )
        measured = _measure(poller, lan, uids, WARMUP_SECONDS, RUN_SECONDS - WARMUP_SECONDS - 5)
        poller.wait(60)
        from alarms.models import AlarmEvent

        events = AlarmEvent.objects.filter(partner=partner).count()
    finally:
        stop_alarms.set()
        lan.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    intervals = measured["intervals"]
    p50, p95 = _p(intervals, 50), _p(intervals, 95)
    per_poll = 1000 * measured["cpu"] / max(1, measured["polls"])
    floor_per_poll = 1000 * bare["cpu"] / max(1, bare["polls"])
    rate = measured["polls"] / measured["seconds"]
    label = f"LAN poller, {DEVICES} cameras at {INTERVAL_S:g} s, one process ({events} events written)"
    return [
        {
            "benchmark": f"{label}: achieved interval per camera, p50",
            "figure": round(p50, 2),
            "unit": "s",
            "baseline": INTERVAL_S,
            "baseline_name": "configured",
            "ratio": round(p50 / INTERVAL_S, 2),
            "target": "1.00×",
        },
        {
            "benchmark": f"{label}: achieved interval per camera, p95",
            "figure": round(p95, 2),
            "unit": "s",
            "baseline": INTERVAL_S,
            "baseline_name": "configured",
            "ratio": round(p95 / INTERVAL_S, 2),
            "target": "near 1×",
        },
        {
            "benchmark": f"{label}: poller CPU per device-poll ({rate:.0f} polls/s)",
            "figure": round(per_poll, 3),
            "unit": "ms",
            "baseline": round(floor_per_poll, 3),
            "baseline_name": "bare asyncio loop of AsyncLanClients",
            "ratio": round(per_poll / floor_per_poll, 2),
            "target": "low",
        },
    ]


async def _floor(endpoints: list[list[Any]], seconds: float) -> None:
    """The same polls with nothing around them: one AsyncLanClient per camera."""
    from rop.addresses import AddressPolicy
    from rop.lan.aio import AsyncLanClient
    from rop.lan.errors import LanError
    from ropsim.lan import DEMO_PASSWORD

    policy = AddressPolicy.for_lan(allow_loopback=True)
    clients = [AsyncLanClient(h, p, password=DEMO_PASSWORD, address_policy=policy) for h, p in endpoints]
    loop = asyncio.get_running_loop()

    async def poll(client: AsyncLanClient) -> None:
        await asyncio.sleep(random.uniform(0, INTERVAL_S))  # noqa: S311
        next_at = loop.time()
        while True:
            with contextlib.suppress(LanError):
                await client.states([0])
            next_at += INTERVAL_S
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    tasks = [asyncio.create_task(poll(c)) for c in clients]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--floor"]:
        sys.path.insert(0, str(ROOT))
        asyncio.run(_floor(json.loads(sys.stdin.read()), float(sys.argv[2])))
    else:
        for row in run():
            print(row)
