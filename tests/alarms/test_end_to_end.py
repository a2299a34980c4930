"""Alarms raised in ropsim reach the console through the real webhook over HTTP (the
simulator posts as a Core Server does: authcode in the query and a bearer header), fold
into one event when they repeat, and show in the feed's poll."""

from django.urls import reverse

from alarms.models import AlarmEvent
from tests.devices.device_page_tools import page_device
from tests.devices.simtools import control, wait_for


def test_it_receives_folds_and_shows_ropsims_alarms(live_server, sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, battery=False, channels=1)
    sim.sim.fleet.devices[device.uid].alarm_enabled = True
    hook = reverse("alarm_webhook", kwargs={"slug": acme_on_sim.slug})
    control(
        sim, "PUT", "/faults", json={"callback_url": f"{live_server.url}{hook}", "authcode": acme_on_sim.webhook_secret}
    )

    # One after the other, as a camera repeats an alarm (concurrent ones: test_concurrent_dedupe.py).
    def delivered() -> int:
        return int(control(sim, "GET", "/alarms")["stats"]["delivered"])

    for sent, body in enumerate(({"aiTypes": ["vehicle"]}, {"aiTypes": ["vehicle"]}, {"status": "blind"}), 1):
        control(sim, "POST", f"/devices/{device.uid}/alarm", json=body)
        wait_for(lambda: delivered() == sent, what="the delivery")  # noqa: B023 - called before the loop moves on

    events = {e.status: e for e in AlarmEvent.objects.filter(partner=acme_on_sim)}
    assert set(events) == {"MD", "blind"}
    assert (events["MD"].count, events["MD"].ai_types, events["MD"].device) == (2, ["vehicle"], device)
    assert events["blind"].count == 1

    poll = reverse("alarm_feed_new", kwargs={"slug": acme_on_sim.slug})
    response = client_of(victor).get(f"{poll}?since=0&ai_type=vehicle", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'data-alarm-id="{events["MD"].id}"' in response.content.decode()
    assert f'data-alarm-id="{events["blind"].id}"' not in response.content.decode()
