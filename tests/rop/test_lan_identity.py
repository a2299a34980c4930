"""rop.lan.LanClient.uid() and abilities(): what the console stores for a LAN device
(its UID for URLs, its abilities for the device page), against ropsim's LAN emulator."""

import pytest

from rop.addresses import AddressPolicy
from rop.lan import LanClient
from ropsim.fleet import Fleet
from ropsim.lan import DEMO_PASSWORD
from ropsim.lan.testing import LanThread


@pytest.fixture
def lan():
    fleet = Fleet(seed=5)
    uids = {m: fleet.create_device(m).uid for m in ("RLC-823A", "NVR RLN8-410", "RLC-810A", "Argus 3 Pro")}
    with LanThread(fleet) as running:
        yield running, uids


def client(lan: LanThread, uid: str) -> LanClient:
    ep = lan.endpoint(uid)
    return LanClient(
        ep.host, ep.port, password=DEMO_PASSWORD, address_policy=AddressPolicy.for_lan(allow_loopback=True)
    )


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("RLC-823A", {"ptz", "zoom", "focus", "presets", "spotlight", "siren", "ai", "reboot"}),
        ("NVR RLN8-410", {"ai", "reboot"}),
        ("RLC-810A", {"reboot"}),
        ("Argus 3 Pro", {"battery", "wifi", "spotlight", "siren", "ai", "reboot"}),
    ],
)
def test_it_reads_the_uid_and_the_abilities(lan, model, expected):
    running, uids = lan
    with client(running, uids[model]) as cam:
        assert cam.uid() == uids[model]
        got = cam.abilities()
    assert expected <= got, got
    assert not ({"ptz", "spotlight", "siren"} - expected) & got
