"""Rollouts in these tests: a library image the simulator knows, and the job engine
driven in-process (sweeps whose chunks run inline), against ropsim over real HTTP."""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
from django.core.files.base import ContentFile

from devices.models import Device
from firmware.models import FirmwareImage, Rollout
from firmware.names import parse_name
from firmware.rollout import services
from firmware.rollout.targeting import preview
from jobs import sweeper
from jobs.models import Job, JobItem, JobState
from ropsim.models import CATALOGUE
from ropsim.testing import RunningSim, SimConfig, start_in_thread
from tests.devices.fleet_rows import rows_from_sim

MODEL = "Argus 3 Pro"
BUILD, DATE = 2400, "240101"
NAME = CATALOGUE[MODEL].firmware_filename(BUILD, DATE)
NEW_VERSION = CATALOGUE[MODEL].firmware_version(BUILD, DATE)


@contextmanager
def cameras_on_sim(config: SimConfig, count: int, prefix: str) -> Iterator[RunningSim]:
    """A simulator with `count` charged, awake cameras of MODEL (UIDs 95270000<prefix>0000...)."""
    with start_in_thread(config) as running:
        for i in range(count):
            dev = running.call(running.sim.fleet.create_device, MODEL, f"95270000{prefix}{i:04d}")
            running.call(dev.set_battery, running.sim.now(), 90.0)
        yield running


def fleet_of(running: RunningSim, partner) -> list[Device]:
    """The partner wired to the simulator (a generous budget) and its devices synced."""
    partner.rop_base_url, partner.gateway_token, partner.request_budget = running.base_url, "sim-token", 500
    partner.save()
    return rows_from_sim(running, partner)


def library_image(partner, name: str = NAME, data: bytes = b"\x00firmware" * 1000) -> FirmwareImage:
    parsed = parse_name(name, [MODEL])
    image = FirmwareImage(
        partner=partner,
        file_name=name,
        size=len(data),
        sha256=name,
        version=parsed.version,
        target_models=parsed.models,
    )
    image.file.save(name, ContentFile(data), save=False)
    image.save()
    return image


def start(partner, user, image, devices=None, **plan) -> Rollout:
    qs = devices if devices is not None else Device.objects.filter(partner=partner)
    chosen = preview(image, qs)
    return services.create_rollout(partner, user, image, chosen.target_ids, services.Plan(name="Spring", **plan))


def drive(rollout: Rollout, *, until: Callable[[Job], bool] | None = None, timeout: float = 60.0) -> Job:
    """Sweep until the rollout's job has ended (or `until` holds)."""
    job = rollout.job
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        sweeper.sweep()
        job.refresh_from_db()
        if job.state in (JobState.DONE, JobState.CANCELLED) or (until and until(job)):
            return job
        time.sleep(0.05)
    open_items = JobItem.objects.filter(job_id=rollout.job_id, result="").values_list("state", "message", "data")
    raise AssertionError(
        f"rollout still {job.state} after {timeout} s: {results_count(rollout)}; open: {list(open_items[:30])}"
    )


def results(rollout: Rollout) -> dict[str, str]:
    """Result (or open state) per device UID."""
    uids = dict(Device.objects.values_list("id", "uid"))
    return {
        uids[target]: result or state
        for target, result, state in JobItem.objects.filter(job_id=rollout.job_id).values_list(
            "target_id", "result", "state"
        )
    }


def results_count(rollout: Rollout) -> Counter[str]:
    return Counter(results(rollout).values())


def item_of(rollout: Rollout, uid: str) -> JobItem:
    device = Device.objects.get(partner=rollout.partner, uid=uid)
    return JobItem.objects.get(job_id=rollout.job_id, target_id=device.id)


def sim_sessions(sim) -> Counter[str]:
    """Upgrade sessions the simulator created, per device UID."""
    response = requests.get(f"{sim.control_url}/sessions", timeout=5)
    response.raise_for_status()
    return Counter(s["uid"] for s in response.json()["upgrade"])


def sim_control(sim, method: str, path: str, json=None) -> None:
    response = requests.request(method, f"{sim.control_url}{path}", json=json, timeout=5)
    response.raise_for_status()
