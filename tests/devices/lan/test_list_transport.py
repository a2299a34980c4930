"""The device list shows each device's transport, filters on it, and exports it."""

import csv
import io

from django.urls import reverse

from devices.models import Device, Transport


def test_it_shows_filters_and_exports_the_transport(client_of, victor, acme):
    Device.objects.create(partner=acme, uid="ROPCAMERA0000001", display_name="Gate", transport=Transport.ROP)
    Device.objects.create(partner=acme, uid="LANCAMERA0000001", display_name="Yard", transport=Transport.LAN)
    client = client_of(victor)
    url = reverse("device_list", kwargs={"slug": "acme"})
    page = client.get(url).content.decode()
    assert "Gate" in page and "Yard" in page and '<span class="badge">LAN</span>' in page
    lan_only = client.get(url, {"transport": "lan"}).content.decode()
    assert "Yard" in lan_only and "Gate" not in lan_only
    rop_only = client.get(url, {"transport": "rop"}).content.decode()
    assert "Gate" in rop_only and "Yard" not in rop_only
    assert "Select a valid choice" in client.get(url, {"transport": "usb"}).content.decode()
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url, {"format": "csv"}).streaming_content).decode())))
    assert {(r[0], r[-1]) for r in rows[1:]} == {("ROPCAMERA0000001", "rop"), ("LANCAMERA0000001", "lan")}
