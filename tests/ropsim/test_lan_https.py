"""ropsim.lan over HTTPS: self-signed certificates per device or per run, and rotation."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ropsim.cli import config_from_args
from ropsim.fleet import Fleet, SimDevice
from ropsim.lan import DEMO_PASSWORD
from ropsim.lan.testing import LanThread
from ropsim.testing import SimConfig, start_in_thread


@pytest.fixture
def fleet() -> Fleet:
    return Fleet(seed=5)


@pytest.fixture
def devs(fleet: Fleet) -> list[SimDevice]:
    return [fleet.create_device("RLC-823A"), fleet.create_device("NVR RLN8-410")]


def served_sha256(host: str, port: int) -> str:
    pem = ssl.get_server_certificate((host, port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def login(url: str, verify: str) -> dict[str, Any]:
    body = [{"cmd": "Login", "param": {"User": {"userName": "admin", "password": DEMO_PASSWORD}}}]
    answer: dict[str, Any] = requests.post(
        url, params={"cmd": "Login", "token": "null"}, json=body, timeout=5, verify=verify
    ).json()[0]
    return answer


@pytest.fixture
def lan_https(fleet: Fleet, devs: list[SimDevice]) -> Iterator[LanThread]:
    with LanThread(fleet, https=True) as running:
        yield running


def test_it_serves_the_api_over_https_with_a_certificate_per_device(
    lan_https: LanThread, devs: list[SimDevice], tmp_path: Path
) -> None:
    fingerprints = set()
    for dev in devs:
        ep = lan_https.endpoint(dev.uid)
        assert ep.scheme == "https" and ep.url == f"https://127.0.0.1:{ep.port}/cgi-bin/api.cgi"
        assert served_sha256(ep.host, ep.port) == ep.cert_sha256
        fingerprints.add(ep.cert_sha256)
        # The certificate names the address it is served on, so a client that trusts
        # exactly this certificate verifies it fully (hostname included).
        ca = tmp_path / f"{dev.uid}.pem"
        ca.write_text(ssl.get_server_certificate((ep.host, ep.port)))
        assert login(ep.url, str(ca))["code"] == 0
    assert len(fingerprints) == len(devs)


def test_it_rotates_a_device_certificate_for_new_connections(lan_https: LanThread, devs: list[SimDevice]) -> None:
    ep = lan_https.endpoint(devs[0].uid)
    other = lan_https.endpoint(devs[1].uid)
    old, other_before = ep.cert_sha256, other.cert_sha256
    new = lan_https.rotate_certificate(devs[0].uid)
    assert new != old and ep.cert_sha256 == new
    assert served_sha256(ep.host, ep.port) == new
    assert other.cert_sha256 == other_before == served_sha256(other.host, other.port)
    with pytest.raises(KeyError):
        lan_https.rotate_certificate("no-such-uid")


def test_it_can_share_one_certificate_for_the_run(fleet: Fleet, devs: list[SimDevice]) -> None:
    with LanThread(fleet, https=True, certificate_per="run") as lan:
        shas = {lan.endpoint(d.uid).cert_sha256 for d in devs}
        assert len(shas) == 1
        assert served_sha256(lan.endpoint(devs[1].uid).host, lan.endpoint(devs[1].uid).port) in shas
    with pytest.raises(ValueError, match="certificate_per"), LanThread(fleet, https=True, certificate_per="each"):
        pass


def test_it_stays_plain_http_by_default_and_refuses_to_rotate_there(fleet: Fleet, devs: list[SimDevice]) -> None:
    with LanThread(fleet) as lan:
        ep = lan.endpoint(devs[0].uid)
        assert ep.scheme == "http" and ep.cert_sha256 is None and ep.url.startswith("http://")
        with pytest.raises(ValueError, match="plain HTTP"):
            lan.rotate_certificate(devs[0].uid)


def test_it_turns_lan_https_on_from_the_command_line_and_sim_config() -> None:
    assert config_from_args(["--lan-https"]).lan_https is True
    assert config_from_args([]).lan_https is False
    running = start_in_thread(SimConfig(devices=2, seed=3, lan_devices=1, lan_https=True))
    try:
        [endpoint] = running.lan_endpoints
        assert endpoint["url"].startswith("https://")
        assert served_sha256(endpoint["host"], endpoint["port"]) == endpoint["cert_sha256"]
    finally:
        running.stop()
