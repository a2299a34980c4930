"""Benchmark of firmware rollouts at a 200 requests/s budget, in several worlds.

Each world: a ropsim fleet (another process) whose gateway allows 200 requests/s per
token, with its upgrade times and a session limit of SESSION_LIMIT; a partner whose
request budget is 200/s. One rollout of one library image to the whole fleet (one
wave, MAX_IN_FLIGHT devices in flight) runs on the job engine: real Celery worker
processes (WORKERS, prefork) run the chunk tasks, and this process runs the sweeper
every SWEEP_SECONDS as beat would.

The worlds (WORLDS): the rollout learns how long an upgrade takes (firmware/rollout/
learning.py) with nothing set, the settings a user gets, on upgrades of 10 s, 120 s
and 900 s, and a fleet of two models at 30 s and 300 s, all spread as real cameras'
are (ropsim's --upgrade-spread 0.1); plus the row of issue 10 for comparison, where
the workers are told the simulator's exact upgrade time (ROLLOUT_UPGRADE_SECONDS) and
every upgrade takes just that.

Reported per world:
- the rollout's time (created until its job is done, the confirmation read of the
  online list included) beside its floor: the fewest requests the rollout needs (one
  session created and read once per device, one read of the online list; the image is
  on the Core Server already) / 200, or the upgrades' own time if longer: ropsim's
  records of each session's length, each device started the moment a place under the
  session limit came free;
- the requests spent per device (ropsim's counters: answered requests that were not
  429, over the devices), beside the 2 a device needs;
- for the comparison row, a naive loop, one device at a time (create its session, read
  it every second until it ends), measured on NAIVE_SAMPLE devices and extrapolated.

Each world's rows live in a dedicated database (rop_fleet_bench_rollout), created and
dropped.

    make bench ARGS=rollout
    BENCH_ROLLOUT_WORLDS=120s make bench ARGS=rollout   (some worlds only, by name)
"""

from __future__ import annotations

import heapq
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
RATE = 200.0
SESSION_LIMIT = 2000
MAX_IN_FLIGHT = 2000
WORKERS = 3  # prefork processes of one Celery worker
SWEEP_SECONDS = 1.0
NAIVE_SAMPLE = 2
BENCH_DB = os.environ.get("BENCH_DB_PREFIX", "rop_fleet_bench") + "_rollout"
TOKEN = "bench-rollout"
SPREAD = 0.1


@dataclass(frozen=True)
class World:
    name: str
    devices: int
    seconds: dict[str, float]  # model -> its upgrade time
    spread: float = SPREAD
    told: bool = False  # the workers are told the upgrade time (ROLLOUT_UPGRADE_SECONDS)

    @property
    def models(self) -> str:
        return ",".join(self.seconds)

    def label(self) -> str:
        times = " and ".join(f"{seconds:g} s ({model})" for model, seconds in self.seconds.items())
        how = "told the upgrade time" if self.told else "learnt, nothing set"
        spread = f", spread {self.spread:g}" if self.spread else ", all the same"
        return f"rollout of {{count:,}} cameras at 200 req/s, upgrades of {times}{spread}; {how}"


# BENCH_ROLLOUT_DEVICES: a smaller fleet for the 10 s worlds while working on the engine.
_TEN = int(os.environ.get("BENCH_ROLLOUT_DEVICES", "10000"))
WORLDS = [
    World("told", _TEN, {"RLC-810A": 10.0}, spread=0.0, told=True),
    World("10s", _TEN, {"RLC-810A": 10.0}),
    World("120s", 3000, {"RLC-810A": 120.0}),
    World("900s", 1000, {"RLC-810A": 900.0}),
    World("mixed", 2000, {"RLC-810A": 30.0, "RLC-823A": 300.0}),
]


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


def _start_sim(world: World, port: int) -> subprocess.Popen[bytes]:
    default = next(iter(world.seconds.values()))
    per_model = ",".join(f"{model}={seconds:g}" for model, seconds in world.seconds.items())
    cmd = [sys.executable, "-m", "ropsim", "--devices", str(world.devices), "--fleet-model", world.models]
    cmd += ["--seed", "5", "--port", str(port), "--rate-limit", str(RATE), "--log-level", "WARNING"]
    cmd += ["--no-demo-states", "--upgrade-seconds", str(default), f"--model-upgrade-seconds={per_model}"]
    cmd += ["--upgrade-spread", str(world.spread), "--upgrade-session-limit", str(SESSION_LIMIT)]
    cmd += ["--out-of-memory-rate", "0", "--unknown-error-rate", "0", f"--token={TOKEN}"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_sim/health", timeout=2).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("ropsim did not start")


def _start_worker(world: World, media_root: str, log: Path) -> subprocess.Popen[bytes]:
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "MEDIA_ROOT": media_root,
    }
    env.pop("ROLLOUT_UPGRADE_SECONDS", None)
    if world.told:
        env["ROLLOUT_UPGRADE_SECONDS"] = str(next(iter(world.seconds.values())))
    cmd = [sys.executable, "-m", "celery", "-A", "rop_fleet", "worker", "--pool=prefork", f"-c{WORKERS}"]
    cmd += ["--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "bench@%h"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _counters(port: int) -> tuple[int, int]:
    """(answered requests that were not 429, 429 answers) on the ROP routes."""
    counters = requests.get(f"http://127.0.0.1:{port}/_sim/counters", timeout=10).json()
    total = sum(entry["count"] for key, entry in counters.items() if " /v1.0/" in key)
    refused = sum(entry.get("429", 0) for key, entry in counters.items() if " /v1.0/" in key)
    return total - refused, refused


def _upgrade_floor(port: int, count: int) -> tuple[float, float]:
    """(the upgrades' own time, the longest upgrade): ropsim's record of each session's
    length, every device started the moment a place under the session limit came free."""
    sessions = requests.get(f"http://127.0.0.1:{port}/_sim/sessions", timeout=30).json()["upgrade"]
    lengths = [s["resolvesAt"] - s["createdAt"] for s in sessions][-count:]
    free = [0.0] * min(SESSION_LIMIT, len(lengths))
    end = 0.0
    for length in lengths:
        start = heapq.heappop(free)
        end = max(end, start + length)
        heapq.heappush(free, start + length)
    return end, max(lengths, default=0.0)


def _naive(partner: Any, image: Any, uids: list[str]) -> tuple[float, float]:
    """One device at a time: (seconds per device, requests per device)."""
    from partners.rop_clients import rop_client_for
    from rop.models import UpgradeStatus

    sent = 0
    started = time.monotonic()
    with rop_client_for(partner) as client:
        for uid in uids:
            session = client.create_upgrade_session(uid, image.file_name, False)
            sent += 1
            while True:
                time.sleep(1.0)
                status = client.get_upgrade_status(uid, session.session_id)
                sent += 1
                if status != UpgradeStatus.UPGRADING:
                    break
    return (time.monotonic() - started) / len(uids), sent / len(uids)


def _image(partner: Any, world: World) -> Any:
    from django.core.files.base import ContentFile

    from firmware.models import FirmwareImage
    from firmware.names import parse_name
    from ropsim.models import CATALOGUE

    models = list(world.seconds)
    # One image for every model of the world: each model's token in its name.
    first = CATALOGUE[models[0]].firmware_filename(2500, "250101")
    name = "_".join(CATALOGUE[model].image_token for model in models) + first[len(CATALOGUE[models[0]].image_token) :]
    parsed = parse_name(name, models)
    image = FirmwareImage(
        partner=partner, file_name=name, size=4096, sha256="bench", version=parsed.version, target_models=models
    )
    image.file.save(name, ContentFile(b"\x00bench-firmware" * 256), save=False)
    image.save()
    return image


def _rollout(partner: Any, image: Any, target_ids: list[int], give_up: float) -> tuple[float, Any]:
    from firmware.rollout import services
    from jobs import sweeper
    from jobs.models import Job, JobItem, JobState

    started = time.monotonic()
    rollout = services.create_rollout(
        partner, None, image, target_ids, services.Plan(name="Bench", canary=0, max_in_flight=MAX_IN_FLIGHT)
    )
    job = Job.objects.get(id=rollout.job_id)
    last_print = 0.0
    while job.state != JobState.DONE:
        now = time.monotonic()
        if now - started > give_up:
            raise RuntimeError(f"the rollout did not finish in {give_up:.0f} s")
        sweeper.sweep()
        if now - last_print > 10:
            done = JobItem.objects.filter(job_id=job.id, state="done").count()
            print(f"  {now - started:6.1f} s: {done:,} of {len(target_ids):,} done", file=sys.stderr)
            last_print = now
        time.sleep(max(0.0, now + SWEEP_SECONDS - time.monotonic()))
        job.refresh_from_db()
    return time.monotonic() - started, rollout


def run_world(world: World) -> list[dict[str, Any]]:
    _django()
    logging.getLogger("rop").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from devices.models import Device
    from devices.sync import sync_partner
    from firmware.pushing import push_image
    from jobs.models import JobItem
    from partners.circuit import close_all_circuits
    from partners.models import Partner
    from rop_fleet.celery import app

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise RuntimeError("this benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    print(f"rollout world {world.name}: {world.devices:,} devices", file=sys.stderr)
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    media = tempfile.TemporaryDirectory(prefix="bench-rollout-")
    settings.MEDIA_ROOT = media.name
    port = _free_port()
    sim = _start_sim(world, port)
    worker = None
    naive: tuple[float, float] | None = None
    try:
        close_all_circuits()
        partner = Partner.objects.create(
            name="Rollout",
            slug="rollout",
            rop_base_url=f"http://127.0.0.1:{port}",
            gateway_token=TOKEN,
            request_budget=RATE,
        )
        from core.request_budget import _redis

        client = _redis()
        assert client is not None
        client.delete(f"rop-budget:partner:{partner.id}")  # a bucket of an earlier run
        sync_partner(partner)
        devices = list(Device.objects.filter(partner=partner).order_by("id").values_list("id", "uid"))
        image = _image(partner, world)
        push_image(image.id)
        targets = [id_ for id_, _ in devices]
        if world.told:
            # The naive loop's sample: devices the rollout then finds on the new version.
            naive = _naive(partner, image, [uid for _, uid in devices[:NAIVE_SAMPLE]])
            targets = targets[NAIVE_SAMPLE:]
        app.control.purge()
        worker = _start_worker(world, media.name, Path(media.name) / "worker.log")
        time.sleep(3)  # the worker's processes up; the budget's bucket full again
        requests.post(f"http://127.0.0.1:{port}/_sim/counters/reset", timeout=10)
        give_up = 600 + 3 * max(world.seconds.values()) + 4 * len(targets) / RATE
        elapsed, rollout = _rollout(partner, image, targets, give_up)
        spent, refused = _counters(port)
        upgrades, longest = _upgrade_floor(port, len(targets))
        succeeded = JobItem.objects.filter(job_id=rollout.job_id, result="succeeded").count()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        sim.terminate()
        sim.wait(timeout=20)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        media.cleanup()
    count = len(targets)
    fewest = 2 * count + 1  # a session and a read per device, the online list (the image was pushed before)
    floor = max(fewest / RATE, upgrades)
    label = world.label().format(count=count) + f" ({succeeded:,} upgraded)"
    rows = [
        {
            "benchmark": f"{label}: time ({spent:,} requests, {refused:,} answered 429; {WORKERS} worker processes)",
            "figure": round(elapsed, 1),
            "unit": "s",
            "baseline": round(floor, 1),
            "baseline_name": f"floor ({fewest:,} requests / 200 per s; upgrades {upgrades:,.0f} s,"
            f" the longest {longest:,.0f} s)",
            "ratio": round(elapsed / floor, 2),
            "target": "≤ 1.3×",
        },
        {
            "benchmark": f"{label}: requests per device (ropsim's counters)",
            "figure": round(spent / count, 3),
            "unit": "requests",
            "baseline": 2.0,
            "baseline_name": "fewest (a session and a read)",
            "ratio": round(spent / count / 2.0, 2),
            "target": "≤ 1.25× (2.5 requests)",
        },
    ]
    if naive is not None:
        per_device, naive_requests = naive
        rows.append(
            {
                "benchmark": f"{label}: time beside a naive one-device-at-a-time loop "
                f"(measured on {NAIVE_SAMPLE} devices, extrapolated)",
                "figure": round(elapsed, 1),
                "unit": "s",
                "baseline": round(per_device * count, 1),
                "baseline_name": f"naive loop ({naive_requests:.1f} requests per device)",
                "ratio": round(elapsed / (per_device * count), 4),
                "target": "far below 1×",
            }
        )
    return rows


def run() -> list[dict[str, Any]]:
    chosen = {name for name in os.environ.get("BENCH_ROLLOUT_WORLDS", "").split(",") if name}
    rows: list[dict[str, Any]] = []
    for world in WORLDS:
        if not chosen or world.name in chosen:
            rows += run_world(world)
            for row in rows[-3:]:  # as each world ends: the whole run takes most of an hour
                print(
                    f"  {row['benchmark']}: {row['figure']} beside {row['baseline']} ({row['ratio']}x)", file=sys.stderr
                )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
