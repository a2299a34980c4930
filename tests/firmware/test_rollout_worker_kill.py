"""A Celery worker process SIGKILLed in the middle of a rollout: another comes up,
the sweeper hands on what the dead one held (interrupted() re-reads the stored step),
and the rollout ends with every camera upgraded and, by ropsim's own session records,
no camera given a second upgrade session."""

import signal

import pytest
from django.db import connection

from firmware.models import Rollout
from firmware.rollout import services
from jobs import dispatch, sweeper
from jobs.models import ItemState, JobItem, JobState
from rop_fleet.celery import app
from ropsim.testing import SimConfig, start_in_thread
from tests.devices.fleet_rows import rows_from_sim
from tests.jobs.test_worker_kill import start_worker, wait_until

from .rollouts import MODEL, NEW_VERSION, library_image, results, sim_sessions

CAMERAS = 30


@pytest.mark.django_db(transaction=True)
def test_it_finishes_a_rollout_after_its_worker_is_killed_with_one_session_per_camera(
    acme, olga, settings, monkeypatch, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process reaches the test database over PostgreSQL")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_DISPATCH_SECONDS = 2
    monkeypatch.setattr(dispatch, "CHUNK_SIZE", 5)
    # The workers' clocks: upgrades of a second, a dead worker's device reclaimed after 2 s.
    for name, value in {
        "ROLLOUT_UPGRADE_SECONDS": "1.0",
        "ROLLOUT_FIRST_READ_SECONDS": "0.2",
        "ROLLOUT_RETRY_SECONDS": "0.5",
        "JOBS_DISPATCH_SECONDS": "2",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }.items():
        monkeypatch.setenv(name, value)
    app.control.purge()
    config = SimConfig(devices=0, seed=9, token="sim-token", upgrade_seconds=1.0, latency_ms=100)
    with start_in_thread(config) as sim:
        for i in range(CAMERAS):
            dev = sim.call(sim.sim.fleet.create_device, MODEL, f"95270000KILL{i:04d}")
            sim.call(dev.set_battery, sim.sim.now(), 90.0)
        acme.rop_base_url, acme.gateway_token, acme.request_budget = sim.base_url, "sim-token", 500
        acme.save()
        fleet = rows_from_sim(sim, acme)
        image = library_image(acme)

        first = start_worker("doomed", tmp_path / "doomed.log")
        second = None
        try:
            rollout = services.create_rollout(
                acme, olga, image, [d.id for d in fleet], services.Plan(name="Kill", max_in_flight=8)
            )
            done = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.DONE)
            wait_until(lambda: done.count() >= 5, 90, "the first worker to upgrade a few cameras", each=sweeper.sweep)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
            assert JobItem.objects.filter(job_id=rollout.job_id).exclude(state=ItemState.DONE).exists()

            second = start_worker("rescuer", tmp_path / "rescuer.log")
            wait_until(
                lambda: Rollout.objects.get(id=rollout.id).job.state == JobState.DONE,
                150,
                "the rollout to finish on the second worker",
                each=sweeper.sweep,  # what beat runs every JOBS_SWEEP_SECONDS
            )
        finally:
            for worker in (first, second):
                if worker is not None and worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=20)

        assert set(results(rollout).values()) == {"succeeded"}
        sessions = sim_sessions(sim)
        assert {d.uid: sessions[d.uid] for d in fleet} == {d.uid: 1 for d in fleet}
        assert all(sim.sim.fleet.devices[d.uid].firmware == NEW_VERSION for d in fleet)
