"""Thin tasks for syncing partners' online lists; the logic is in devices.sync.

Tasks take ids, are idempotent (acks_late may run one twice) and have explicit time
limits. Neither retries itself: the next beat tick is the retry, so nothing piles up
behind a partner whose Core Server does not answer.

The explicit names are the ones these tasks had when they lived in tasks/polling.py:
beat's schedule and messages already queued under them must keep reaching them."""

import logging
from typing import Any

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from partners.models import Partner

from .. import sync
from ..connection import ROP_FAILURES, describe

logger = logging.getLogger(__name__)


@shared_task(name="devices.tasks.polling.sync_all_partners", soft_time_limit=30, time_limit=45)
def sync_all_partners() -> None:
    # Fan out: one partner's slow Core Server never delays another's sync.
    for partner_id in Partner.objects.values_list("id", flat=True):
        sync_partner_task.apply_async(args=(partner_id,), expires=settings.SYNC_INTERVAL_SECONDS)


@shared_task(name="devices.tasks.polling.sync_partner_task", soft_time_limit=120, time_limit=150)
def sync_partner_task(partner_id: int) -> None:
    partner = Partner.objects.filter(id=partner_id).first()
    if partner is None:
        return
    try:
        sync.sync_partner(partner)
    except ROP_FAILURES as exc:
        # Nothing changed; the next beat tick tries again.
        logger.warning("sync of %s failed: %s", partner.slug, describe(exc).symbol)


@beat_init.connect
def _sync_when_beat_starts(sender: Any = None, **kwargs: Any) -> None:
    # Interval entries first run one interval after beat starts; a fresh console
    # should not wait that long to show its devices.
    sync_all_partners.delay()
