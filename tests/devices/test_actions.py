"""Single-device actions against ropsim over real HTTP."""

import requests

from audit.models import AuditEntry
from devices import actions
from devices.models import Device, ItemResult


def sim_device(sim, partner, **filters):
    """A Device row for the first simulated device matching the model's capabilities."""
    for uid, dev in sim.sim.fleet.devices.items():
        if all(getattr(dev.model, k) == v for k, v in filters.items()):
            return Device.objects.create(
                partner=partner, uid=uid, model=dev.model.name, family=dev.model.family, online=True
            )
    raise AssertionError(f"no simulated device with {filters}")


def test_it_disables_alarms_and_records_it(sim, acme_on_sim, alice):
    device = sim_device(sim, acme_on_sim)
    outcome = actions.set_alarm(device, alice, False)
    assert outcome.ok, outcome.message
    device.refresh_from_db()
    assert device.alarm_enabled is False
    assert sim.sim.fleet.devices[device.uid].alarm_enabled is False
    entry = AuditEntry.objects.about(device).get(action="device.alarm")
    assert entry.params == {"enabled": False} and entry.result == "ok" and entry.user == alice


def test_it_answers_offline_for_an_offline_device_and_audits_it(sim, acme_on_sim, alice):
    device = sim_device(sim, acme_on_sim)
    requests.post(f"{sim.control_url}/devices/{device.uid}/offline", timeout=5).raise_for_status()
    outcome = actions.rename(device, alice, "Back door")
    assert outcome.result == ItemResult.OFFLINE
    assert outcome.message == "The device is offline."
    device.refresh_from_db()
    assert device.display_name == ""
    assert AuditEntry.objects.get(action="device.rename").result == "offline"


def test_it_explains_a_wrong_gateway_token(sim, acme_on_sim, alice):
    acme_on_sim.gateway_token = "wrong"
    acme_on_sim.save()
    device = sim_device(sim, acme_on_sim)
    outcome = actions.set_pir(device, alice, True, 50, True)
    assert outcome.result == ItemResult.ERROR
    assert "refused the console's credentials" in outcome.message
