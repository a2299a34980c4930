"""The compliance page: per model, the newest library image and the devices behind
it, with a button that opens a rollout for them."""

from django.urls import reverse

from devices.models import Device, Family
from ropsim.models import CATALOGUE

from .rollouts import MODEL, NAME, NEW_VERSION, library_image


def test_it_counts_the_devices_behind_the_newest_image_of_their_model(client_of, olga, victor, acme):
    old_name = CATALOGUE[MODEL].firmware_filename(1890, "230301")
    old_version = CATALOGUE[MODEL].firmware_version(1890, "230301")
    library_image(acme, old_name, data=b"old" * 100)
    newest = library_image(acme, NAME)
    Device.objects.bulk_create(
        [
            Device(
                partner=acme,
                uid=f"95270000COMP{i:04d}",
                model=MODEL,
                family=Family.BATTERY,
                firmware_version=old_version,
            )
            for i in range(5)
        ]
        + [Device(partner=acme, uid="95270000COMP0100", model=MODEL, firmware_version=NEW_VERSION)]
        + [Device(partner=acme, uid="95270000COMP0200", model="RLC-810A", firmware_version="RLC_810A_230515_2356")]
    )
    url = reverse("firmware_compliance", kwargs={"slug": "acme"})
    page = client_of(olga).get(url).content.decode()
    assert f"<td>{MODEL}</td>" in page and newest.file_name in page and old_name not in page
    assert "<td>6</td>" in page and "<td>5</td>" in page and "Roll out to 5" in page
    assert "RLC-810A" not in page  # no image in the library names it
    link = f"{reverse('rollout_new', kwargs={'slug': 'acme'})}?image={newest.id}&amp;model=Argus%203%20Pro"
    assert link in page
    opened = client_of(olga).get(link.replace("&amp;", "&")).content.decode()
    assert "<strong>5</strong> devices will be upgraded" in opened
    assert "Roll out to" not in client_of(victor).get(url).content.decode()
