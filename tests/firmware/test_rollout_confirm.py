"""After its devices upgraded, a rollout confirms the new firmware from the Core
Server's online list: one request for the whole fleet, not one per device."""

import pytest
import requests

from audit.models import AuditEntry
from devices.models import Device
from jobs.models import JobItem, JobState

from .rollouts import NEW_VERSION, drive, library_image, results, start
from .test_rollouts import fleet, small_sim  # noqa: F401 (fixtures)

ONLINE_LIST = "GET /v1.0/devices"


def online_list_reads(sim) -> int:
    counters = requests.get(f"{sim.control_url}/counters", timeout=5).json()
    return int(counters.get(ONLINE_LIST, {}).get("count", 0))


@pytest.mark.usefixtures("engine")
def test_it_confirms_every_upgraded_device_with_one_read_of_the_online_list(small_sim, fleet, acme, olga):  # noqa: F811
    before = online_list_reads(small_sim)
    rollout = start(acme, olga, library_image(acme), max_in_flight=4)
    job = drive(rollout)
    assert job.state == JobState.DONE and set(results(rollout).values()) == {"succeeded"}
    assert online_list_reads(small_sim) - before == 1
    assert all(item.data.get("confirmed") is True for item in JobItem.objects.filter(job=job))
    # The console's copy of each device's firmware is the new one already.
    assert set(Device.objects.filter(partner=acme).values_list("firmware_version", flat=True)) == {NEW_VERSION}
    finished = AuditEntry.objects.get(action="rollout.finished", params__rollout=rollout.id)
    assert finished.params["confirmed"] == len(fleet)


@pytest.mark.usefixtures("engine")
def test_it_leaves_a_device_unconfirmed_when_the_list_says_another_version(small_sim, fleet, acme, olga):  # noqa: F811
    rollout = start(acme, olga, library_image(acme), max_in_flight=4)
    # One device reports an older version again by the time the list is read (the
    # upgrade did not stick): it stays upgraded by the session's word, not confirmed.
    uid = fleet[0].uid

    def downgrade(job) -> bool:
        device = small_sim.sim.fleet.devices[uid]
        if device.firmware == NEW_VERSION:
            device.firmware = fleet[0].firmware_version
            return True
        return False

    drive(rollout, until=lambda job: downgrade(job) and False)
    item = JobItem.objects.get(job=rollout.job, target_id=fleet[0].id)
    assert item.result == "succeeded" and "confirmed" not in item.data
    assert Device.objects.get(id=fleet[0].id).firmware_version == fleet[0].firmware_version
    others = JobItem.objects.filter(job=rollout.job).exclude(id=item.id)
    assert all(other.data.get("confirmed") is True for other in others)
