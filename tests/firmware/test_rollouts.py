"""A rollout's transitions, device by device, against ropsim over real HTTP, with
the job engine run in-process."""

import pytest

from audit.models import AuditEntry
from jobs.models import JobState
from ropsim.testing import SimConfig, start_in_thread
from tests.devices.fleet_rows import rows_from_sim

from .rollouts import MODEL, NEW_VERSION, drive, item_of, library_image, results, sim_sessions, start


@pytest.fixture
def small_sim():
    """Eight cameras of one battery model, awake, fast upgrades."""
    with start_in_thread(SimConfig(devices=0, seed=3, token="sim-token", upgrade_seconds=0.3)) as running:
        for i in range(8):
            dev = running.call(running.sim.fleet.create_device, MODEL, f"95270000ROLL{i:04d}")
            running.call(dev.set_battery, running.sim.now(), 90.0)
        yield running


@pytest.fixture
def fleet(small_sim, acme):
    acme.rop_base_url = small_sim.base_url
    acme.gateway_token = "sim-token"
    acme.request_budget = 500
    acme.save()
    return rows_from_sim(small_sim, acme)


def test_it_upgrades_every_device_once_and_records_where_it_came_from(engine, small_sim, fleet, acme, olga):
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=4)
    job = drive(rollout)
    assert job.state == JobState.DONE
    assert set(results(rollout).values()) == {"succeeded"}
    assert all(dev.firmware == NEW_VERSION for dev in small_sim.sim.fleet.devices.values())
    assert set(sim_sessions(small_sim).values()) == {1}
    first = item_of(rollout, fleet[0].uid)
    assert first.data["from_version"] == fleet[0].firmware_version and first.data["sessions"] == 1
    assert first.message.startswith(f"Upgraded from {fleet[0].firmware_version} to {image.version}")
    assert AuditEntry.objects.filter(action="rollout.started", params__rollout=rollout.id).exists()
    assert AuditEntry.objects.get(action="rollout.finished").params["succeeded"] == len(fleet)
