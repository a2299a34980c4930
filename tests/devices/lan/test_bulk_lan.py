"""Bulk actions across ROP and LAN devices alike: the bulk handler asks each device's
driver, so refresh, tags and reboot work for both, and what a transport cannot do is
reported per device as "not supported on this transport"."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Device, ItemResult
from jobs.models import Job, JobItem

from ..simtools import sim_uid
from ..test_bulk_actions import run_job


@pytest.fixture
def mixed(acme_on_sim, sim, lan_camera, lan_nvr):
    """A ROP camera from the simulated Core Server beside the two LAN devices."""
    rop = Device.objects.create(partner=acme_on_sim, uid=sim_uid(sim, model="RLC-810A"), model="RLC-810A", online=True)
    return {"rop": rop, "camera": lan_camera, "nvr": lan_nvr}


def start(client, action, devices, **extra):
    data = {"action": action, "device": [d.id for d in devices.values()], **extra}
    response = client.post(reverse("bulk_start", kwargs={"slug": "acme"}), data)
    assert response.status_code == 302, response.content.decode()[:1000]
    return run_job(Job.objects.latest("id"))


def results(job):
    uids = dict(Device.objects.values_list("id", "uid"))
    return {
        uids[t]: (r, m) for t, r, m in JobItem.objects.filter(job=job).values_list("target_id", "result", "message")
    }


def test_it_refreshes_rop_and_lan_devices_in_one_job(client_of, olga, mixed, lan):
    mixed["nvr"].channels.filter(index=1).update(name="stale")
    got = results(start(client_of(olga), "refresh", mixed))
    assert {result for result, _ in got.values()} == {ItemResult.OK}
    assert got[mixed["nvr"].uid][1] == "Refreshed: NVR RLN8-410, 8 channel(s)."
    assert mixed["nvr"].channels.get(index=1).name.endswith("CH02")
    mixed["rop"].refresh_from_db()
    assert mixed["rop"].alarm_enabled is not None  # read through the Core Server


def test_it_tags_rop_and_lan_devices_alike(client_of, olga, mixed):
    got = results(start(client_of(olga), "add_tag", mixed, tag="Site North"))
    assert {result for result, _ in got.values()} == {ItemResult.OK}
    for device in mixed.values():
        assert list(device.tags.values_list("name", flat=True)) == ["Site North"]
    got = results(start(client_of(olga), "remove_tag", mixed, tag="Site North"))
    assert {result for result, _ in got.values()} == {ItemResult.OK}
    assert not Device.tags.through.objects.exists()


def test_it_reboots_what_can_be_rebooted_after_a_confirmation(client_of, olga, mixed, lan):
    client = client_of(olga)
    refused = client.post(
        reverse("bulk_start", kwargs={"slug": "acme"}), {"action": "reboot", "device": [mixed["rop"].id]}, follow=True
    )
    assert "Tick the box to confirm the reboot." in refused.content.decode() and not Job.objects.exists()
    got = results(start(client, "reboot", mixed, confirm_reboot="1"))
    assert got[mixed["camera"].uid][0] == got[mixed["nvr"].uid][0] == ItemResult.OK
    assert lan.state(mixed["camera"].uid).reboots == 1 and lan.state(mixed["nvr"].uid).reboots == 1
    result, message = got[mixed["rop"].uid]
    assert result == ItemResult.NOT_SUPPORTED and "not supported on this transport (ROP Core Server)" in message
    assert AuditEntry.objects.filter(action="device.reboot", user=olga).count() == 3


def test_it_answers_alarm_changes_on_lan_devices_as_not_supported(client_of, olga, mixed):
    got = results(start(client_of(olga), "alarm_on", mixed))
    assert got[mixed["rop"].uid][0] == ItemResult.OK
    assert got[mixed["camera"].uid][0] == ItemResult.NOT_SUPPORTED
    assert "not supported on this transport (LAN JSON API)" in got[mixed["camera"].uid][1]


def test_it_forbids_viewers_a_bulk_reboot(client_of, victor, mixed):
    data = {"action": "reboot", "device": [mixed["camera"].id], "confirm_reboot": "1"}
    assert client_of(victor).post(reverse("bulk_start", kwargs={"slug": "acme"}), data).status_code == 403
