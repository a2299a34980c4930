"""Thin tasks for health polling; the logic is in devices.polling.

Tasks take ids, are idempotent (acks_late may run one twice) and have explicit time
limits. None retries itself: the next beat tick is the retry, so nothing piles up
behind a device that does not answer."""

import logging
from functools import partial

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction

from partners.models import Partner

from .. import polling
from ..connection import swept
from ..models import Device

logger = logging.getLogger(__name__)


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
                transaction.on_commit(partial(_enqueue_polls, ids, expires))


def _enqueue_polls(ids: list[int], expires: int) -> None:
    for device_id in ids:
        poll_device_task.apply_async(args=(device_id,), expires=expires)


@shared_task(soft_time_limit=45, time_limit=60)
def poll_device_task(device_id: int) -> None:
    device = Device.objects.select_related("partner").filter(id=device_id).first()
    if device is None or not device.online or not swept(device):
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
