"""Opening a rollout from the device list (a selection or the current filters), the
navigation's highlight on the rollout pages, and the page controls not covered by
test_rollout_pages.py (resume, cancel, roll back) as an operator posts them."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Device
from firmware.models import FirmwareImage, Rollout
from jobs.models import ItemState, JobItem, JobState

from .rollouts import MODEL, library_image
from .test_rollout_pages import fleet, form_data, new_url


def roll_out(client, partner, **data):
    return client.post(reverse("bulk_start", kwargs={"slug": partner.slug}), {"action": "roll_out", **data})


def test_it_opens_the_rollout_form_on_the_devices_selected_in_the_device_list(client_of, olga, acme):
    devices = fleet(acme)
    library_image(acme)
    chosen = [str(devices[0].id), str(devices[2].id)]
    response = roll_out(client_of(olga), acme, device=chosen, filters="model=Argus+3+Pro")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == new_url(acme) and parse_qs(url.query) == {"device": chosen}
    page = client_of(olga).get(response["Location"]).content.decode()
    assert f'name="device" value="{chosen[0]}"' in page and "2 devices" in page


def test_it_opens_the_rollout_form_on_the_device_lists_filters(client_of, olga, acme):
    fleet(acme)
    response = roll_out(client_of(olga), acme, all_matching="1", filters="model=Argus+3+Pro&online=yes", device=["1"])
    url = urlsplit(response["Location"])
    assert url.path == new_url(acme) and parse_qs(url.query) == {"model": [MODEL], "online": ["yes"]}


def test_it_answers_htmx_with_a_client_redirect_and_asks_for_a_selection_when_none(client_of, olga, acme):
    fleet(acme)
    client = client_of(olga)
    url = reverse("bulk_start", kwargs={"slug": acme.slug})
    response = client.post(url, {"action": "roll_out", "device": ["7"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith(new_url(acme) + "?device=7")
    response = client.post(url, {"action": "roll_out", "filters": "q=cam"}, follow=True)
    assert "Select devices" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("device_list", kwargs={"slug": acme.slug}) + "?q=cam"


def test_it_shows_the_action_to_operators_only_and_refuses_viewers(client_of, olga, victor, acme):
    fleet(acme)
    device_list = reverse("device_list", kwargs={"slug": acme.slug})
    assert 'value="roll_out"' in client_of(olga).get(device_list).content.decode()
    assert 'value="roll_out"' not in client_of(victor).get(device_list).content.decode()
    assert roll_out(client_of(victor), acme, device=["1"]).status_code == 403


def test_it_highlights_firmware_in_the_navigation_on_the_library_and_rollout_pages(client_of, olga, acme):
    # One section for both (a Rollouts entry would not fit the bar): the library links to rollouts.
    client = client_of(olga)
    current = f'href="{reverse("firmware_list", kwargs={"slug": acme.slug})}" aria-current="page"'
    for name in ("firmware_list", "rollout_list", "rollout_new", "firmware_compliance"):
        assert current in client.get(reverse(name, kwargs={"slug": acme.slug})).content.decode(), name
    devices = client.get(reverse("device_list", kwargs={"slug": acme.slug})).content.decode()
    assert current not in devices


def control(client, name: str, rollout: Rollout):
    return client.post(reverse(name, kwargs={"slug": "acme", "rollout_id": rollout.id}), follow=True)


def test_it_resumes_and_cancels_from_the_page_with_an_audit_entry_each(client_of, olga, acme):
    fleet(acme)
    client = client_of(olga)
    client.post(new_url(acme), form_data(library_image(acme)))
    rollout = Rollout.objects.get()
    assert "Only a paused rollout can be resumed." in control(client, "rollout_resume", rollout).content.decode()
    control(client, "rollout_pause", rollout)
    assert "Resumed." in control(client, "rollout_resume", rollout).content.decode()
    page = control(client, "rollout_cancel", rollout).content.decode()
    assert "Devices already upgrading cannot be stopped" in page
    rollout.job.refresh_from_db()
    assert rollout.job.state == JobState.CANCELLED
    assert "This rollout has already ended." in control(client, "rollout_cancel", rollout).content.decode()
    for action in ("rollout.resumed", "rollout.cancelled"):
        assert AuditEntry.objects.filter(action=action, user=olga, params__job=rollout.job_id).exists()


def test_it_rolls_back_from_the_page_to_the_image_devices_ran_before(client_of, olga, acme):
    devices = fleet(acme)
    client = client_of(olga)
    old = FirmwareImage.objects.create(partner=acme, file_name="old.pak", version="230301_1890", target_models=[MODEL])
    client.post(new_url(acme), form_data(library_image(acme), device=[str(devices[0].id)]))
    rollout = Rollout.objects.get()
    JobItem.objects.filter(job_id=rollout.job_id).update(
        state=ItemState.DONE, result="succeeded", data={"wave": 0, "from_version": devices[0].firmware_version}
    )
    page = control(client, "rollout_roll_back", rollout).content.decode()
    assert "1 roll-back rollout(s) started." in page
    back = Rollout.objects.get(rolled_back_from=rollout)
    assert back.image == old and list(JobItem.objects.filter(job=back.job).values_list("target_id", flat=True)) == [
        devices[0].id
    ]
    assert Device.objects.filter(id=devices[0].id).exists()
    assert AuditEntry.objects.filter(action="rollout.rolled_back", user=olga, params__rollout=rollout.id).exists()
