"""UIDs a device could never have (longer than 16 characters, a "/" in them) in the Core
Server's online list: sync skips them, logs them once and counts them; nothing else fails."""

import logging

from django.urls import reverse

from devices.models import Device
from devices.sync import sync_partner

ODD = [
    {"uid": "95270000ACME00017", "family": "powered", "model": "RLC-810A", "firmware": "v3.1.0.1"},
    {"uid": "95270000ACME/001", "family": "battery", "model": "Argus 3 Pro", "firmware": "v3.0.0.1"},
    {"uid": "9527" + "X" * 300, "family": "powered", "model": "RLC-810A", "firmware": "v3.1.0.1"},
]


def test_it_skips_odd_uids_and_syncs_the_rest(sim, acme_on_sim, caplog):
    sim.list_extra_items(*ODD)
    caplog.set_level(logging.WARNING, logger="devices.sync")
    result = sync_partner(acme_on_sim)
    assert (result.added, result.skipped) == (30, 3)
    assert Device.objects.filter(partner=acme_on_sim).count() == 30
    assert not Device.objects.filter(uid__in=[item["uid"][:16] for item in ODD]).exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "acme" in warnings[0] and "3 entries" in warnings[0]
    assert "95270000ACME/001" in warnings[0]

    # Logged once: the next syncs still count them but say nothing more.
    caplog.clear()
    assert sync_partner(acme_on_sim).skipped == 3
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_it_lists_devices_beside_a_row_stored_with_an_odd_uid(sim, acme_on_sim, client_of, alice):
    # A row an earlier version stored with a "/" in its uid: no link to it, and no 500.
    sync_partner(acme_on_sim)
    Device.objects.create(partner=acme_on_sim, uid="95270000ACME/001", display_name="Odd one", online=True)
    response = client_of(alice).get(reverse("device_list", kwargs={"slug": "acme"}), {"q": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Odd one" in html and "95270000ACME/001" in html
    assert Device.objects.filter(partner=acme_on_sim).count() == 31
