"""Bulk actions: one BulkJob over many devices, run by Celery in chunks.

Starting a job writes the job and one item per device in one transaction; the
view then enqueues (on commit) one task per chunk of CHUNK_SIZE items
(tasks.bulk.enqueue_job), so many workers share a big job. Enqueueing is not done
here: services sit below tasks and never import them.

A worker claims each item with a conditional UPDATE from
"pending" to "running" before touching the device: a chunk that is delivered
twice (acks_late, a retry after a time limit) never does an item again. An item
found "running" when its chunk starts again belonged to an attempt that died
mid-call; nobody knows whether the device changed, so it is reported as an error
rather than silently redone."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from partners.rop_clients import rop_client_for

from . import actions, selectors
from .models import BulkAction, BulkJob, BulkJobItem, Device, ItemResult, JobState, Tag, Transport
from .outcome import Outcome
from .polling import refresh_device
from .rop_messages import ROP_FAILURES, describe

logger = logging.getLogger(__name__)

# "All matching" resolves at most this many devices; above it the operator narrows the filter.
MAX_DEVICES = 10_000
CHUNK_SIZE = 50
OPEN_RESULTS = (ItemResult.PENDING, ItemResult.RUNNING)
ROP_ACTIONS = {BulkAction.ALARM_ON, BulkAction.ALARM_OFF, BulkAction.SET_PIR, BulkAction.REFRESH}

INTERRUPTED = "The worker stopped while changing this device; check it and run the action again if needed."
TOO_SLOW = "This took too long and was stopped; check the device and run the action again if needed."


class TooManyDevices(Exception):
    def __init__(self):
        super().__init__(
            f"This would change more than {MAX_DEVICES:,} devices. Narrow the filter "
            "(for example by model or tag) and run the action in parts."
        )


# --- starting a job -------------------------------------------------------------------------


def resolve_targets(partner, *, all_matching: bool, device_ids=(), filters=None, sort=None) -> list[int]:
    """The ids of the devices a bulk action is for, always within `partner`: another
    partner's ids in `device_ids` are dropped. "All matching" re-runs the list's
    filter now, so the job covers what matches at submit time, in the list's order."""
    if all_matching:
        qs = selectors.filtered_devices(partner, filters or {}).order_by(*selectors.ordering(sort))
    else:
        qs = Device.objects.filter(partner=partner, id__in=list(device_ids)).order_by("display_name", "uid")
    ids = list(qs.values_list("id", flat=True)[: MAX_DEVICES + 1])
    if len(ids) > MAX_DEVICES:
        raise TooManyDevices()
    return ids


def start_job(partner, user, action: str, params: dict, device_ids: list[int]) -> BulkJob:
    with transaction.atomic():
        if action == BulkAction.ADD_TAG:
            Tag.objects.get_or_create(partner=partner, name=params["tag"])
        job = BulkJob.objects.create(partner=partner, user=user, action=action, params=params, total=len(device_ids))
        BulkJobItem.objects.bulk_create(
            [BulkJobItem(job=job, device_id=device_id) for device_id in device_ids], batch_size=2000
        )
        audit.record(
            partner,
            "bulk.started",
            user=user,
            params={"job": job.id, "action": action, "devices": len(device_ids), **params},
        )
    return job


def chunk_ranges(item_ids: list[int], size: int | None = None) -> list[tuple[int, int]]:
    """(first id, last id) of consecutive runs of `size` items; a task's whole argument."""
    size = size or CHUNK_SIZE
    ids = sorted(item_ids)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def job_chunk_ranges(job_id: int) -> list[tuple[int, int]]:
    return chunk_ranges(list(BulkJobItem.objects.filter(job_id=job_id).values_list("id", flat=True)))


# --- running a chunk -------------------------------------------------------------------------


def run_chunk(job_id: int, first_item_id: int, last_item_id: int) -> None:
    job = BulkJob.objects.select_related("partner", "user").filter(id=job_id).first()
    if job is None:
        return  # deleted with its partner meanwhile
    BulkJob.objects.filter(id=job.id, state=JobState.QUEUED).update(state=JobState.RUNNING)
    chunk = BulkJobItem.objects.filter(job=job, id__gte=first_item_id, id__lte=last_item_id)
    _close(chunk.filter(result=ItemResult.RUNNING), ItemResult.ERROR, INTERRUPTED)

    pending = list(chunk.filter(result=ItemResult.PENDING).order_by("id").values_list("id", "device_id"))
    devices = Device.objects.filter(partner=job.partner).in_bulk([device_id for _, device_id in pending])
    client = rop_client_for(job.partner) if job.action in ROP_ACTIONS else None
    try:
        for item_id, device_id in pending:
            if not _claim(item_id):
                continue  # another delivery of this chunk took it
            device = devices.get(device_id)
            try:
                outcome = (
                    _apply(job, device, client) if device else Outcome(ItemResult.ERROR, "The device was removed.")
                )
            except SoftTimeLimitExceeded:
                _close(BulkJobItem.objects.filter(id=item_id), ItemResult.ERROR, TOO_SLOW)
                raise
            except Exception:
                logger.exception("bulk job %s: %s on device %s failed", job.id, job.action, device_id)
                outcome = Outcome(ItemResult.ERROR, "Unexpected error; the administrators were told.")
            _close(BulkJobItem.objects.filter(id=item_id), outcome.result, outcome.message)
    finally:
        if client is not None:
            client.close()
        finish_if_done(job)


def _claim(item_id: int) -> bool:
    return (
        BulkJobItem.objects.filter(id=item_id, result=ItemResult.PENDING).update(
            result=ItemResult.RUNNING, updated_at=timezone.now()
        )
        == 1
    )


def _close(items, result: str, message: str) -> None:
    items.filter(result=ItemResult.RUNNING).update(result=result, message=message[:255], updated_at=timezone.now())


def finish_if_done(job: BulkJob) -> bool:
    """Mark the job done once no item is open; exactly one caller wins and audits it."""
    if BulkJobItem.objects.filter(job=job, result__in=OPEN_RESULTS).exists():
        return False
    won = (
        BulkJob.objects.filter(id=job.id)
        .exclude(state=JobState.DONE)
        .update(state=JobState.DONE, finished_at=timezone.now())
    )
    if won:
        counts = {k: v for k, v in selectors.job_counts(job).items() if v}
        audit.record(
            job.partner, "bulk.finished", user=job.user, params={"job": job.id, "action": job.action, **counts}
        )
    return bool(won)


def _apply(job: BulkJob, device: Device, client) -> Outcome:
    device.partner = job.partner  # same partner (looked up within it); saves a query per device
    action, params, user = job.action, job.params, job.user
    if action in ROP_ACTIONS and device.transport != Transport.ROP:
        return Outcome(ItemResult.NOT_SUPPORTED, "This device is reached over the LAN, not the Core Server.")
    if action in (BulkAction.ALARM_ON, BulkAction.ALARM_OFF):
        return actions.set_alarm(device, user, action == BulkAction.ALARM_ON, client=client)
    if action == BulkAction.SET_PIR:
        return actions.set_pir(
            device, user, params["enabled"], params["sensitivity"], params["reduce_mistakes"], client=client
        )
    if action == BulkAction.REFRESH:
        return _refresh(device, client)
    if action == BulkAction.ADD_TAG:
        return _add_tag(job, device, params["tag"])
    if action == BulkAction.REMOVE_TAG:
        return _remove_tag(job, device, params["tag"])
    raise ValueError(f"unknown bulk action {action!r}")


def _refresh(device, client) -> Outcome:
    try:
        refresh_device(device, client=client)
    except ROP_FAILURES as exc:
        return describe(exc).outcome()
    return Outcome(ItemResult.OK, "Refreshed.")


def _add_tag(job, device, name: str) -> Outcome:
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


def _remove_tag(job, device, name: str) -> Outcome:
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
