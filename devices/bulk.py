"""Bulk actions: the "bulk" kind of job (jobs/ runs it: claims, chunks, leases,
progress, cancel, the sweeper). What is bulk-specific stays here: which devices a
bulk action is for, starting it, and the per-device apply as the kind's handler.

An item whose worker died mid-call is reported as an error rather than redone:
nobody knows whether the device changed."""

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

from audit import services as audit
from jobs.models import Job, JobItem
from jobs.registry import Done, Handler, Step, Target
from jobs.services import create_job
from partners.models import Partner
from rop import RopClient

from . import actions, commands, selection, selectors
from .connection import FAILURES, describe, rop_client
from .drivers import Driver, driver_for
from .job_targets import device_targets
from .models import BulkAction, Device, ItemResult, Tag
from .outcome import Outcome

logger = logging.getLogger(__name__)

KIND = "bulk"
# Bulk actions take at most the one limit of choosing devices (selection.py).
MAX_DEVICES = selection.MAX_DEVICES
# The actions that talk to the device (through its driver); tags only change our rows.
DEVICE_ACTIONS = {
    BulkAction.ALARM_ON,
    BulkAction.ALARM_OFF,
    BulkAction.SET_PIR,
    BulkAction.REFRESH,
    BulkAction.REBOOT,
}

INTERRUPTED = "The worker stopped while changing this device; check it and run the action again if needed."
TOO_SLOW = "This took too long and was stopped; check the device and run the action again if needed."


# --- starting a job -------------------------------------------------------------------------


def resolve_targets(
    partner: Partner,
    *,
    all_matching: bool,
    device_ids: Iterable[int] = (),
    filters: dict[str, Any] | None = None,
    sort: Any = None,
) -> list[int]:
    """The ids of the devices a bulk action is for (selection.resolve): the ticked ones,
    or "all matching" the list's filter now, so the job covers what matches at submit time."""
    if all_matching:
        return selection.resolve(partner, limit=MAX_DEVICES, filters=filters, sort=sort)
    return selection.resolve(partner, limit=MAX_DEVICES, device_ids=device_ids)


def start_job(partner: Partner, user: Any, action: str, params: dict[str, Any], device_ids: list[int]) -> Job:
    with transaction.atomic():
        if action == BulkAction.ADD_TAG:
            _, created = Tag.objects.get_or_create(partner=partner, name=params["tag"])
            if created:  # the list's tag suggestions are cached with the models and versions
                transaction.on_commit(lambda: selectors.forget_filter_suggestions(partner))
        job = create_job(partner, user, KIND, device_ids, action=action, params=params)
        audit.record(
            partner,
            "bulk.started",
            user=user,
            params={"job": job.id, "action": action, "devices": len(device_ids), **params},
        )
    return job


# --- the handler: one device of a bulk job -------------------------------------------------


class BulkHandler(Handler):
    kind = KIND
    results = tuple((value, label) for value, label in ItemResult.choices)
    error_result = ItemResult.ERROR
    audit_prefix = "bulk"

    def title(self, job: Job) -> str:
        return BulkAction(job.action).label if job.action in BulkAction.values else job.action

    @contextlib.contextmanager
    def chunk(self, job: Job) -> Iterator[Any]:
        # One Core Server connection pool for the whole chunk's ROP devices (each LAN
        # device gets its own session from its driver).
        client = rop_client(job.partner) if job.action in DEVICE_ACTIONS else None
        try:
            yield client
        finally:
            if client is not None:
                client.close()

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        device = Device.objects.filter(partner=job.partner, id=item.target_id).first()
        if device is None:
            return Done(ItemResult.ERROR, "The device was removed.")
        outcome = apply(job, device, context)
        return Done(outcome.result, outcome.message)

    def interrupted(self, job: Job, item: JobItem, *, timed_out: bool = False) -> Step:
        return Done(ItemResult.ERROR, TOO_SLOW if timed_out else INTERRUPTED)

    def targets(self, job: Job, target_ids: Iterable[int]) -> dict[int, Target]:
        return device_targets(job, target_ids)


def apply(job: Job, device: Device, client: RopClient | None) -> Outcome:
    device.partner = job.partner  # same partner (looked up within it); saves a query per device
    action, params = job.action, job.params
    if action == BulkAction.ADD_TAG:
        return _add_tag(job, device, params["tag"])
    if action == BulkAction.REMOVE_TAG:
        return _remove_tag(job, device, params["tag"])
    if action not in DEVICE_ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    # The driver decides what the device's transport can do (connection.NotSupported).
    try:
        driver = driver_for(device, rop_client=client)
    except FAILURES as exc:
        return describe(exc).outcome()
    with driver:
        return _on_device(job, device, driver)


def _on_device(job: Job, device: Device, driver: Driver) -> Outcome:
    action, params, user = job.action, job.params, job.user
    if action in (BulkAction.ALARM_ON, BulkAction.ALARM_OFF):
        return actions.set_alarm(device, user, action == BulkAction.ALARM_ON, driver=driver)
    if action == BulkAction.SET_PIR:
        return actions.set_pir(
            device, user, params["enabled"], params["sensitivity"], params["reduce_mistakes"], driver=driver
        )
    if action == BulkAction.REBOOT:
        return commands.reboot(device, user, driver=driver)
    return _refresh(driver)


def _refresh(driver: Driver) -> Outcome:
    try:
        message = driver.refresh()
    except FAILURES as exc:
        return describe(exc).outcome()
    return Outcome(ItemResult.OK, message)


def _add_tag(job: Job, device: Device, name: str) -> Outcome:
    tag = Tag.objects.get(partner=job.partner, name=name)
    through = Device.tags.through
    _, created = through.objects.get_or_create(device_id=device.id, tag_id=tag.id)
    message = f"Tagged “{name}”." if created else f"Already tagged “{name}”."
    audit.record(
        job.partner,
        "device.tag_added",
        user=job.user,
        target=device,
        params={"tag": name, "job": job.id, "changed": created},
        message=message,
    )
    return Outcome(ItemResult.OK, message)


def _remove_tag(job: Job, device: Device, name: str) -> Outcome:
    through = Device.tags.through
    removed, _ = through.objects.filter(device_id=device.id, tag__partner=job.partner, tag__name=name).delete()
    message = f"Tag “{name}” removed." if removed else f"Was not tagged “{name}”."
    audit.record(
        job.partner,
        "device.tag_removed",
        user=job.user,
        target=device,
        params={"tag": name, "job": job.id, "changed": bool(removed)},
        message=message,
    )
    return Outcome(ItemResult.OK, message)
