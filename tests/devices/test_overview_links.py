"""The overview's figures, firmware chart and alarms lead to the matching devices."""

import html
import re

from django.urls import reverse

from alarms.models import AlarmEvent
from devices.models import ChargeStatus

from .fleet_rows import made_up_fleet


def overview(client):
    return client.get(reverse("overview", kwargs={"slug": "acme"})).content.decode()


def test_it_links_every_figure_to_the_filtered_list_and_the_list_agrees(client_of, victor, acme):
    fleet = made_up_fleet(acme, 40)
    client = client_of(victor)
    page = overview(client)
    expected = {
        "online": sum(d.online for d in fleet),
        "offline": sum(not d.online for d in fleet),
        "battery below 20 %": sum(d.battery_percent is not None and d.battery_percent < 20 for d in fleet),
        "charging": sum(d.charge_status == ChargeStatus.CHARGING for d in fleet),
        "alarms disabled": sum(d.alarm_enabled is False for d in fleet),
    }
    for label, count in expected.items():
        link = re.search(
            rf'<a class="figure[^"]*" href="([^"]+)"><span class="figure-value">(\d+)</span>'
            rf'<span class="figure-label">{label}</span>',
            page,
        )
        assert link, label
        assert int(link.group(2)) == count
        listed = client.get(html.unescape(link.group(1))).content.decode()
        assert f"<strong>{count}</strong> matching" in listed, label


def test_it_links_firmware_bars_to_model_and_firmware_without_inline_styles(client_of, victor, acme):
    made_up_fleet(acme, 24)
    client = client_of(victor)
    page = overview(client)
    assert "style=" not in page
    bars = re.findall(r'<a href="([^"]+)" aria-label="(\d+) ([^"]+) devices on ([^"]+)">\s*<svg class="fw-bar"', page)
    assert len(bars) == 12  # 3 models × 4 firmware versions
    url, count, model, firmware = bars[0]
    assert f"model={model.replace(' ', '%20')}" in html.unescape(url) and f"firmware={firmware}" in html.unescape(url)
    assert f"<strong>{count}</strong> matching" in client.get(html.unescape(url)).content.decode()
    assert re.search(r'<rect class="bar" x="0" y="0" width="\d+" height="10"/>', page)


def test_it_links_recent_alarms_to_the_device_page(client_of, victor, acme, acme_camera):
    AlarmEvent.objects.create(partner=acme, device=acme_camera, device_uid=acme_camera.uid, channel=0, status="MD")
    page = overview(client_of(victor))
    assert f'href="{reverse("device_detail", kwargs={"slug": "acme", "uid": acme_camera.uid})}"' in page


def test_it_has_a_devices_link_in_the_nav(client_of, victor, acme):
    assert f'href="{reverse("device_list", kwargs={"slug": "acme"})}"' in overview(client_of(victor))
