"""The rollout pages: create with a preview, the rollout's page and its progress
partial, the list; operators change, viewers read."""

import re

from django.urls import reverse

from audit.models import AuditEntry
from devices import selection
from devices.models import Device, Family
from firmware.models import Rollout
from firmware.rollout_forms import GROUPS, RolloutForm
from jobs.models import JobItem, JobState

from .rollouts import MODEL, NEW_VERSION, library_image


def fleet(partner) -> list[Device]:
    rows = [
        Device(
            partner=partner,
            uid=f"95270000PAGE{i:04d}",
            model=MODEL,
            family=Family.BATTERY,
            firmware_version="Argus_3_Pro_230301_1890",
        )
        for i in range(5)
    ]
    rows.append(
        Device(partner=partner, uid="95270000PAGE0100", model="RLC-810A", firmware_version="RLC_810A_230515_2356")
    )
    rows.append(
        Device(
            partner=partner, uid="95270000PAGE0101", model=MODEL, family=Family.BATTERY, firmware_version=NEW_VERSION
        )
    )
    return Device.objects.bulk_create(rows)


def new_url(partner) -> str:
    return reverse("rollout_new", kwargs={"slug": partner.slug})


def form_data(image, **extra):
    return {
        "image": image.id,
        "name": "Spring",
        "canary": 1,
        "wave_size": 2,
        "max_in_flight": 5,
        "min_battery_percent": 20,
        "min_finished": 10,
        "max_failure_percent": 20,
        "file_check_limit": 3,
        **extra,
    }


def test_it_previews_which_devices_a_rollout_takes_and_why_others_are_left_out(client_of, olga, acme):
    fleet(acme)
    image = library_image(acme)
    page = client_of(olga).get(new_url(acme), {"image": image.id}).content.decode()
    assert "<strong>5</strong> devices will be upgraded" in page
    assert "Incompatible model: 1" in page and "Already on this version: 1" in page
    partial = client_of(olga).get(new_url(acme), {"image": image.id, "part": "preview"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="rollout-preview"')


def test_it_starts_a_rollout_from_the_form_on_the_filtered_devices(client_of, olga, acme):
    devices = fleet(acme)
    image = library_image(acme)
    response = client_of(olga).post(new_url(acme), form_data(image, q="95270000PAGE000"))
    rollout = Rollout.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "rollout_detail", kwargs={"slug": "acme", "rollout_id": rollout.id}
    )
    targets = set(JobItem.objects.filter(job=rollout.job).values_list("target_id", flat=True))
    assert targets == {d.id for d in devices[:5]}
    assert rollout.waves == [1, 2, 2] and rollout.job.max_in_flight == 5 and not rollout.factory_reset
    assert AuditEntry.objects.filter(action="rollout.started", user=olga, params__devices=5).exists()


def test_it_starts_a_rollout_on_a_selection(client_of, olga, acme):
    devices = fleet(acme)
    image = library_image(acme)
    response = client_of(olga).post(new_url(acme), form_data(image, device=[devices[0].id, devices[5].id]))
    assert response.status_code == 302, response.content.decode()
    rollout = Rollout.objects.get()
    # The selection's incompatible camera is left out.
    assert list(JobItem.objects.filter(job=rollout.job).values_list("target_id", flat=True)) == [devices[0].id]


def test_it_asks_for_a_confirmation_before_a_factory_reset(client_of, olga, acme):
    fleet(acme)
    image = library_image(acme)
    response = client_of(olga).post(new_url(acme), form_data(image, factory_reset="on"))
    assert response.status_code == 200 and "Confirm the factory reset" in response.content.decode()
    assert not Rollout.objects.exists()
    client_of(olga).post(new_url(acme), form_data(image, factory_reset="on", confirm_factory_reset="on"))
    assert Rollout.objects.get().factory_reset


def test_it_says_what_is_wrong_with_a_form(client_of, olga, acme):
    image = library_image(acme)
    response = client_of(olga).post(new_url(acme), form_data(image, wave_size=2, wave_percent=10, canary=-1))
    page = response.content.decode()
    assert response.status_code == 200 and "not both" in page and "greater than or equal to 0" in page
    response = client_of(olga).post(new_url(acme), form_data(image))  # no device in the fleet
    assert "No device to upgrade" in response.content.decode()
    assert not Rollout.objects.exists()


def test_it_shows_a_rollout_with_its_progress_to_a_viewer_and_no_controls(client_of, olga, victor, acme):
    fleet(acme)
    image = library_image(acme)
    client_of(olga).post(new_url(acme), form_data(image))
    rollout = Rollout.objects.get()
    client = client_of(victor)
    url = reverse("rollout_detail", kwargs={"slug": "acme", "rollout_id": rollout.id})
    page = client.get(url).content.decode()
    assert "Spring" in page and "wave 1 of 3" in page and "Pause" not in page
    assert "95270000PAGE0000" in page
    poll = client.get(
        url, {"part": "progress"}, headers={"HX-Request": "true", "HX-Current-URL": url + "?result=waiting"}
    )
    text = poll.content.decode()
    assert text.lstrip().startswith('<section id="rollout-progress"') and 'hx-swap-oob="true"' in text
    assert "95270000PAGE0000" not in text  # the filter of the page: waiting devices only
    listing = client.get(reverse("rollout_list", kwargs={"slug": "acme"})).content.decode()
    assert "Spring" in listing and "New rollout" not in listing
    assert client.post(reverse("rollout_pause", kwargs={"slug": "acme", "rollout_id": rollout.id})).status_code == 403
    assert client.get(new_url(acme)).status_code == 403


def test_it_lets_an_operator_pause_and_start_the_next_wave_from_the_page(client_of, olga, acme):
    fleet(acme)
    image = library_image(acme)
    client = client_of(olga)
    client.post(new_url(acme), form_data(image))
    rollout = Rollout.objects.get()
    kwargs = {"slug": "acme", "rollout_id": rollout.id}
    response = client.post(reverse("rollout_next_wave", kwargs=kwargs), follow=True)
    assert "Wave 2 started." in response.content.decode()
    response = client.post(reverse("rollout_pause", kwargs=kwargs), follow=True)
    assert "Paused" in response.content.decode()
    rollout.job.refresh_from_db()
    assert rollout.job.state == JobState.PAUSED
    response = client.post(reverse("rollout_retry", kwargs=kwargs), follow=True)
    assert "No failed device" in response.content.decode()
    assert AuditEntry.objects.filter(action="rollout.paused", user=olga).exists()


def test_it_ignores_odd_values_in_the_query_instead_of_failing(client_of, olga, acme):
    fleet(acme)
    image = library_image(acme)
    response = client_of(olga).get(new_url(acme), {"image": "²", "device": ["²", "-1", "x"], "model": "\x00"})
    assert response.status_code == 200
    response = client_of(olga).post(new_url(acme), form_data(image, device=["٣", "abc"]))
    assert response.status_code == 302  # the odd ids dropped: the filters (none) choose the devices


def test_it_shows_every_setting_of_the_form_once_in_its_group(client_of, olga, acme):
    acme.time_zone = "Europe/Berlin"
    acme.save(update_fields=["time_zone"])
    image = library_image(acme)
    page = client_of(olga).get(new_url(acme), {"image": image.id}).content.decode()
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends == ["Image and devices", "Waves", "Pace", "Failure rules", "Schedule", "Factory reset"]
    assert "Times are in Europe/Berlin, the partner&#x27;s time zone." in page
    grouped = [name for _, names in GROUPS for name in names]
    shown_elsewhere = {"image", "name", "factory_reset", "confirm_factory_reset", "device"}
    assert sorted(grouped + list(shown_elsewhere)) == sorted(RolloutForm.base_fields)  # none left out, none twice
    for name in RolloutForm.base_fields.keys() - {"device"}:
        assert page.count(f'name="{name}"') == 1 and page.count(f'id="id_{name}"') == 1, name
        assert f'for="id_{name}"' in page or name in ("factory_reset", "confirm_factory_reset"), name


def test_it_refuses_a_rollout_over_the_limit_in_words(acme, client_of, olga, monkeypatch):
    Device.objects.bulk_create(
        Device(
            partner=acme,
            uid=f"95270000SELA{i:04d}",
            model="Argus 3 Pro",
            family=Family.BATTERY,
            firmware_version="Argus_3_Pro_230301_1890",
        )
        for i in range(3)
    )
    image = library_image(acme)
    monkeypatch.setattr(selection, "MAX_DEVICES", 2)  # devices.selection: one limit for every way to choose
    response = client_of(olga).post(new_url(acme), form_data(image))
    assert response.status_code == 200 and not Rollout.objects.exists()
    assert "more than 2 devices" in response.content.decode()
