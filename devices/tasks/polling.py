"""Thin tasks for sync and health polling; the logic is in devices.sync and devices.polling.

Tasks take ids, are idempotent (acks_late may run one twice) and have explicit time
limits. None retries itself: the next beat tick is the retry, so nothing piles up
behind a partner or a device that does not answer."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import beat_init
from django.conf import settings
from django.db import transaction

from core.request_budget import BudgetTimeout
from partners.models import Partner
from rop import errors as rop_errors

from .. import polling, sync
from ..models import Device, Transport

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=30, time_limit=45)
def sync_all_partners() -> None:
    # Fan out: one partner's slow Core Server never delays another's sync.
    for partner_id in Partner.objects.values_list("id", flat=True):
        sync_partner_task.apply_async(args=[partner_id], expires=settings.SYNC_INTERVAL_SECONDS)


@shared_task(soft_time_limit=120, time_limit=150)
def sync_partner_task(partner_id: int) -> None:
    partner = Partner.objects.filter(id=partner_id).first()
    if partner is None:
        return
    try:
        sync.sync_partner(partner)
    except (rop_errors.RopError, BudgetTimeout) as exc:
        # Nothing changed; the next beat tick tries again.
        logger.warning("sync of %s failed: %s", partner.slug, polling.error_symbol(exc))


@shared_task(soft_time_limit=30, time_limit=45)
def sweep_due_polls() -> None:
    # A poll message older than a few sweeps is dropped: its device was claimed for
    # one interval, so it is simply polled next time instead of piling up a backlog.
    expires = settings.POLL_SWEEP_SECONDS * 4
    for partner in Partner.objects.all():
        with transaction.atomic():
            ids = polling.claim_due_devices(partner)
            if ids:
                # Sent once the claims are committed, so a worker always sees them.
                transaction.on_commit(lambda ids=ids: _enqueue_polls(ids, expires))


def _enqueue_polls(ids: list[int], expires: int) -> None:
    for device_id in ids:
        poll_device_task.apply_async(args=[device_id], expires=expires)


@shared_task(soft_time_limit=45, time_limit=60)
def poll_device_task(device_id: int) -> None:
    device = Device.objects.select_related("partner").filter(id=device_id).first()
    if device is None or not device.online or device.transport != Transport.ROP:
        return  # gone, or went offline since it was claimed: sync brings it back
    try:
        polling.poll_device(device)
    except SoftTimeLimitExceeded:
        polling.record_timeout(device)


@shared_task(soft_time_limit=300, time_limit=360)
def prune_health_samples() -> None:
    for partner in Partner.objects.all():
        deleted = polling.prune_health_samples(partner)
        if deleted:
            logger.info("pruned %d health samples of %s", deleted, partner.slug)


@beat_init.connect
def _sync_when_beat_starts(sender=None, **kwargs) -> None:
    # Interval entries first run one interval after beat starts; a fresh console
    # should not wait that long to show its devices.
    sync_all_partners.delay()
