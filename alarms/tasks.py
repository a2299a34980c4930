"""Alarm events' periodic task; the logic is in alarms.services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=300, time_limit=360)
def prune_alarm_events() -> None:
    deleted = services.prune_old_events()
    if deleted:
        logger.info("pruned %d alarm events past ALARM_RETENTION_DAYS", deleted)
