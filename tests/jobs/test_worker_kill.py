"""A Celery worker process SIGKILLed in the middle of a bulk job: nothing acks its
chunk and nothing redelivers it (Redis keeps it unacked for an hour), so only the
engine's sweeper can finish the job. Another worker process comes up, the sweeper
re-sends what was lost and closes what the dead worker held; the job ends with every
device changed exactly once (the audit log and ropsim's request counter agree), and
at most the one device in flight reported as interrupted."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from devices.bulk import INTERRUPTED
from jobs import dispatch, sweeper
from jobs.models import ItemState, JobItem, JobState
from rop_fleet.celery import app
from tests.devices.fleet_rows import rows_from_sim

from .bulk_jobs import alarm_audits, results, start_alarm_off

ROOT = Path(__file__).resolve().parents[2]
ALARM_PUT = "PUT /v1.0/devices/{uid}/settings/alarm"


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
        "DATABASE_URL": url,  # the test database, not the one the suite was pointed at
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "JOBS_ITEM_LEASE_SECONDS": "2",  # a dead worker's device is reclaimed quickly
    }


def start_worker(name: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "celery", "-A", "rop_fleet", "worker", "--pool=solo", "--loglevel=WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h"]
    return subprocess.Popen(command, cwd=ROOT, env=worker_env(), stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_until(condition, seconds: float, what: str, each=None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if each:
            each()
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_it_finishes_a_job_after_its_worker_is_killed_applying_each_device_once(
    sim, acme_on_sim, client_of, olga, settings, monkeypatch, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process reaches the test database over PostgreSQL")
    fleet = rows_from_sim(sim, acme_on_sim)
    settings.JOBS_DISPATCH_SECONDS = 2  # how long a sent chunk may take before the sweeper resends it
    monkeypatch.setattr(dispatch, "CHUNK_SIZE", 5)
    requests.put(f"{sim.control_url}/faults", json={"latency_ms": 150}, timeout=5).raise_for_status()
    requests.post(f"{sim.control_url}/counters/reset", timeout=5).raise_for_status()
    app.control.purge()  # nothing left over from other tests

    first = start_worker("doomed", tmp_path / "doomed.log")
    second = None
    try:
        job = start_alarm_off(client_of(olga), fleet)
        done = JobItem.objects.filter(job=job, state=ItemState.DONE)
        wait_until(lambda: done.count() >= 5, 60, "the first worker to change a few devices")
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        left_open = JobItem.objects.filter(job=job).exclude(state=ItemState.DONE).count()
        assert left_open > 0, "the job ended before the kill; nothing was tested"

        second = start_worker("rescuer", tmp_path / "rescuer.log")
        job.refresh_from_db()
        wait_until(
            lambda: type(job).objects.get(id=job.id).state == JobState.DONE,
            120,
            "the job to finish on the second worker",
            each=sweeper.sweep,  # what beat runs every JOBS_SWEEP_SECONDS
        )
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)

    got = results(job)
    assert len(got) == len(fleet) == 30
    interrupted = [uid for uid, (result, message) in got.items() if message == INTERRUPTED]
    assert len(interrupted) <= 1  # a solo worker has one device in flight
    assert {result for uid, (result, _) in got.items() if uid not in interrupted} == {"ok"}
    audits = alarm_audits(job)
    assert all(audits.get(uid) == 1 for uid in got if uid not in interrupted)
    assert all(audits.get(uid, 0) <= 1 for uid in interrupted)
    # Every PUT the Core Server saw came back to an audited change, bar one cut by the kill.
    counters = requests.get(f"{sim.control_url}/counters", timeout=5).json()
    puts = counters[ALARM_PUT]["count"]
    assert sum(audits.values()) <= puts <= sum(audits.values()) + len(interrupted)
    assert all(not sim.sim.fleet.devices[uid].alarm_enabled for uid in got if uid not in interrupted)
