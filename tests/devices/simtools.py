"""Small helpers for steering ropsim through its control API (real HTTP, no mocks)."""

import io
import time
from collections.abc import Callable
from typing import Any

import requests

from rop import RopClient
from ropsim.models import CATALOGUE
from ropsim.testing import RunningSim


def control(sim: RunningSim, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = requests.request(method, f"{sim.control_url}{path}", timeout=10, **kwargs)
    assert response.status_code < 300, response.text
    body: dict[str, Any] = response.json()
    return body


def go_offline(sim: RunningSim, uid: str) -> None:
    control(sim, "POST", f"/devices/{uid}/offline")


def go_online(sim: RunningSim, uid: str) -> None:
    control(sim, "POST", f"/devices/{uid}/online")


def sim_uid(sim: RunningSim, *, family: str | None = None, model: str | None = None) -> str:
    for uid, dev in sim.sim.fleet.devices.items():
        if (family is None or dev.model.family == family) and (model is None or dev.model.name == model):
            return uid
    raise AssertionError(f"no simulated device with family={family} model={model}")


def upgrade_firmware(sim: RunningSim, client: RopClient, uid: str, *, build: int = 9001, date: str = "240101") -> str:
    """Upgrade a simulated device through ROP, as an operator would; answer its new version."""
    model = CATALOGUE[sim.sim.fleet.devices[uid].model.name]
    image = model.firmware_filename(build, date)
    client.upload_firmware(image, io.BytesIO(b"\x00FIRMWARE" * 100))
    session = client.create_upgrade_session(uid, image)
    expected = model.firmware_version(build, date)
    wait_for(lambda: client.get_upgrade_status(uid, session.session_id).is_final, what="the upgrade to end")
    wait_for(lambda: control(sim, "GET", f"/devices/{uid}")["online"], what="the device to reboot")
    assert control(sim, "GET", f"/devices/{uid}")["firmware"] == expected
    return expected


def wait_for[T](
    condition: Callable[[], T], *, timeout: float = 20.0, every: float = 0.1, what: str = "the condition"
) -> T:
    """A bounded poll loop: the value of condition() once truthy, or an AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(every)
