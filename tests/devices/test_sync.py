"""Sync of the online list against ropsim over real HTTP."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from devices.models import Device, Family, Transport
from devices.sync import SyncResult, sync_partner
from partners.rop_clients import rop_client_for
from rop import errors
from ropsim.testing import SimConfig, start_in_thread

from .simtools import control, go_offline, go_online, sim_uid, upgrade_firmware


def test_it_adds_the_online_devices_with_family_model_and_firmware(sim, acme_on_sim):
    result = sync_partner(acme_on_sim)
    assert result == SyncResult(added=30, updated=0, went_offline=0, came_online=0)
    assert Device.objects.filter(partner=acme_on_sim, online=True).count() == 30
    for uid, simulated in sim.sim.fleet.devices.items():
        device = Device.objects.get(partner=acme_on_sim, uid=uid)
        assert (device.family, device.model, device.firmware_version) == (
            simulated.model.family,
            simulated.model.name,
            simulated.firmware,
        )
        assert device.transport == Transport.ROP and device.last_seen is not None
        assert device.next_poll_at is not None
        assert ("battery" in device.capabilities) == (device.family == Family.BATTERY)
        assert device.channel_count == simulated.model.channels


def test_it_derives_the_capabilities_of_known_models(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    zoom = Device.objects.get(uid=sim_uid(sim, model="E1 Zoom"))
    assert {"zoom", "focus", "ptz", "wifi"} <= set(zoom.capabilities)
    assert "battery" not in zoom.capabilities


def test_it_changes_nothing_on_a_second_sync(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    assert sync_partner(acme_on_sim) == SyncResult()
    assert Device.objects.filter(partner=acme_on_sim).count() == 30


def test_it_marks_missing_devices_offline_and_keeps_last_seen(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    uid = sim_uid(sim, family="powered")
    seen = Device.objects.get(uid=uid).last_seen
    go_offline(sim, uid)
    result = sync_partner(acme_on_sim)
    assert result.went_offline == 1 and result.added == 0
    device = Device.objects.get(uid=uid)
    assert device.online is False
    assert device.last_seen == seen
    assert device.next_poll_at is None  # offline devices are left out of polling
    assert Device.objects.filter(partner=acme_on_sim, online=True).count() == 29


def test_it_marks_a_device_that_comes_back_online_and_due_for_a_poll_soon(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    uid = sim_uid(sim, family="battery")
    go_offline(sim, uid)
    sync_partner(acme_on_sim)
    go_online(sim, uid)
    before = timezone.now()
    result = sync_partner(acme_on_sim)
    assert result.came_online == 1
    device = Device.objects.get(uid=uid)
    assert device.online is True and device.last_seen is not None and device.last_seen >= before
    # Its first poll comes within minutes, not a battery interval of hours.
    assert device.next_poll_at is not None and device.next_poll_at <= before + timedelta(minutes=5, seconds=1)


def test_it_gives_every_listed_device_a_fresh_last_seen(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    before = timezone.now()
    sync_partner(acme_on_sim)
    assert not Device.objects.filter(partner=acme_on_sim, online=True, last_seen__lt=before).exists()


def test_it_records_a_firmware_change_in_the_audit_log(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    uid = sim_uid(sim, model="RLC-810A")
    old = Device.objects.get(uid=uid).firmware_version
    new = upgrade_firmware(sim, rop_client_for(acme_on_sim), uid)
    result = sync_partner(acme_on_sim)
    assert result.updated == 1
    assert Device.objects.get(uid=uid).firmware_version == new
    entry = AuditEntry.objects.get(partner=acme_on_sim, action="device.firmware_changed")
    assert entry.user is None and entry.target_label == uid
    assert entry.params == {"from": old, "to": new}


def test_it_records_a_model_change_and_rederives_capabilities(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    uid = sim_uid(sim, model="Argus 2")
    # The same UID answering as another model: a replaced board, say.
    control(sim, "DELETE", f"/devices/{uid}")
    control(sim, "POST", "/devices", json={"uid": uid, "model": "RLC-823A"})
    assert sync_partner(acme_on_sim).updated == 1
    device = Device.objects.get(uid=uid)
    assert (device.model, device.family) == ("RLC-823A", Family.POWERED)
    assert "battery" not in device.capabilities and "zoom" in device.capabilities
    entry = AuditEntry.objects.get(partner=acme_on_sim, action="device.model_changed")
    assert entry.user is None and entry.params == {"from": "Argus 2", "to": "RLC-823A"}


def test_it_marks_nothing_offline_when_the_read_fails(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    acme_on_sim.gateway_token = "wrong"
    acme_on_sim.save()
    with pytest.raises(errors.AuthFailed):
        sync_partner(acme_on_sim)
    assert Device.objects.filter(partner=acme_on_sim, online=True).count() == 30


def test_it_leaves_another_partners_devices_alone(sim, acme_on_sim, bolt_camera):
    sync_partner(acme_on_sim)
    bolt_camera.refresh_from_db()
    assert bolt_camera.online is True
    assert not Device.objects.filter(partner=bolt_camera.partner).exclude(pk=bolt_camera.pk).exists()


def test_it_stores_when_the_partner_was_last_synced(sim, acme_on_sim):
    before = timezone.now()
    sync_partner(acme_on_sim)
    acme_on_sim.refresh_from_db()
    assert acme_on_sim.last_synced_at >= before


def test_it_syncs_a_large_fleet_in_a_few_queries(acme):
    with start_in_thread(SimConfig(devices=3000, seed=11)) as big:
        acme.rop_base_url, acme.request_budget = big.base_url, 500
        acme.save()
        with CaptureQueriesContext(connection) as first:
            assert sync_partner(acme).added == 3000
        uids = list(big.sim.fleet.devices)[:600]
        for uid in uids:
            big.sim.fleet.set_offline(uid, "forced")
        with CaptureQueriesContext(connection) as second:
            assert sync_partner(acme).went_offline == 600
    # Batched writes: the query count grows with batches of 1000, never per device.
    assert len(first.captured_queries) < 20, len(first.captured_queries)
    assert len(second.captured_queries) < 20, len(second.captured_queries)


# --- "Sync now" on the overview --------------------------------------------------------


def sync_url(slug="acme"):
    return reverse("sync_now", kwargs={"slug": slug})


def test_it_lets_operators_ask_for_a_sync_now(client_of, olga, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_of(olga).post(sync_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("overview", kwargs={"slug": "acme"})
    assert b"Sync requested" in response.content
    assert len(callbacks) == 1  # the sync is enqueued only once the request commits
    entry = AuditEntry.objects.get(partner=acme, action="partner.sync_requested")
    assert entry.user == olga


def test_it_forbids_viewers_to_ask_for_a_sync(client_of, victor, acme):
    assert client_of(victor).post(sync_url()).status_code == 403
    assert not AuditEntry.objects.filter(action="partner.sync_requested").exists()


def test_it_takes_sync_now_by_post_only(client_of, olga, acme):
    assert client_of(olga).get(sync_url()).status_code == 405


def test_it_shows_the_last_sync_on_the_overview_and_the_button_to_operators(client_of, olga, victor, acme):
    acme.last_synced_at = timezone.now() - timedelta(minutes=3)
    acme.save()
    page = client_of(olga).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert "Last synced" in page and "3\xa0minutes ago" in page
    assert sync_url() in page
    page = client_of(victor).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert sync_url() not in page


def test_it_says_on_the_overview_when_a_partner_was_never_synced(client_of, olga, acme):
    page = client_of(olga).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert "Not synced yet" in page
