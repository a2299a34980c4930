"""The demo `make run` starts shows the states the console exists for.

ropsim is started from the same command line Procfile.dev gives it (200 devices, seed 7,
random alarms, three LAN cameras, the command line's default demo states), the demo
partner points at it, and the console's own services sync and poll it. A minute of
simulated time passes through ropsim's clock control, not by sleeping.
"""

import pytest
import requests
from django.core.management import call_command

from devices import polling
from devices.models import Device
from devices.selectors import fleet_summary
from devices.sync import sync_partner
from ropsim.cli import config_from_args
from ropsim.testing import start_in_thread

from ..devices.simtools import control, wait_for

TOKEN = "demo-token"
# Procfile.dev: python -m ropsim --devices 200 --seed 7 --token ... --alarm-rate 2 --lan-devices 3 ...
DEMO_ARGS = ["--devices", "200", "--seed", "7", "--token", TOKEN, "--alarm-rate", "2", "--lan-devices", "3"]


@pytest.fixture
def demo_sim():
    config = config_from_args([*DEMO_ARGS, "--port", "0", "--lan-port-base", "0"])
    with start_in_thread(config) as running:
        yield running


@pytest.fixture
def demo_partner(acme, demo_sim):
    acme.rop_base_url = demo_sim.base_url
    acme.gateway_token = TOKEN
    acme.request_budget = 2000  # not what is tested here
    acme.save()
    return acme


def console_minute(demo_sim, partner):
    """A sync at start-up, a minute, the next sync: the console knows the devices listed at
    start-up, and those that dropped since are offline."""
    sync_partner(partner)
    control(demo_sim, "POST", "/clock/advance", json={"seconds": 60})
    return sync_partner(partner)


def test_it_shows_offline_low_battery_and_alarms_off_on_the_demo_overview_within_a_minute(demo_sim, demo_partner):
    assert console_minute(demo_sim, demo_partner).went_offline > 0
    for device in Device.objects.filter(partner=demo_partner, online=True).select_related("partner"):
        polling.poll_device(device)

    summary = fleet_summary(demo_partner)
    assert summary["offline_count"] > 0
    assert summary["low_battery_count"] > 0
    assert summary["alarms_off_count"] > 0
    assert summary["charging_count"] > 0
    # Battery cameras that do not wake are failed polls, not offline devices.
    failed = Device.objects.filter(partner=demo_partner, online=True, last_poll_error="wake_up_timeout")
    assert failed.exists()


def test_it_raises_demo_alarms_now_and_then(demo_sim):
    def raised() -> int:
        count: int = control(demo_sim, "GET", "/alarms")["stats"]["raised"]
        return count

    before = raised()
    # 200 devices at 2 alarms an hour: ten simulated minutes bring about 67.
    control(demo_sim, "POST", "/clock/advance", json={"seconds": 600})
    assert wait_for(lambda: raised() > before, timeout=5, what="the simulator's ticker to raise alarms")


def test_it_brings_demo_devices_back_from_their_outages(demo_sim, demo_partner):
    console_minute(demo_sim, demo_partner)
    offline = set(Device.objects.filter(partner=demo_partner, online=False).values_list("uid", flat=True))
    assert offline
    control(demo_sim, "POST", "/clock/advance", json={"seconds": 600})
    assert sync_partner(demo_partner).came_online > 0
    back = set(Device.objects.filter(partner=demo_partner, uid__in=offline, online=True).values_list("uid", flat=True))
    assert back
    listed = requests.get(f"{demo_sim.base_url}/v1.0/devices", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert back <= {item["uid"] for item in listed.json()["items"]}


def test_it_adds_the_demo_lan_cameras_beside_the_rop_devices(demo_sim, demo_partner, settings, capsys):
    settings.ROP_ALLOW_LOOPBACK_ADDRESSES = True  # as `make run` sets it
    sync_partner(demo_partner)
    rop_before = Device.objects.filter(partner=demo_partner).count()
    ports = ",".join(str(ep["port"]) for ep in demo_sim.lan_endpoints)
    call_command("load_demo_lan", partner=demo_partner.slug, ports=ports, wait=5)
    call_command("load_demo_lan", partner=demo_partner.slug, ports=ports, wait=5)  # idempotent
    out = capsys.readouterr().out
    assert out.count("Added ") == 3 and out.count("already added") == 3
    lan = Device.objects.filter(partner=demo_partner, transport="lan")
    # The same cameras the Core Server lists: their rows move to the LAN, the others stay.
    assert set(lan.values_list("uid", flat=True)) == {ep["uid"] for ep in demo_sim.lan_endpoints}
    assert Device.objects.filter(partner=demo_partner).count() == rop_before
    assert all(d.model and d.channels.count() == d.channel_count for d in lan)
    sync_partner(demo_partner)  # sync leaves LAN rows alone
    assert Device.objects.filter(partner=demo_partner, transport="lan").count() == 3
