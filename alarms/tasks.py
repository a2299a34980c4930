"""Alarm tasks: thin, each calls one service."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=300, time_limit=360)
def prune_alarm_events() -> None:
    """Beat, every ALARM_PRUNE_SECONDS: each partner's alarms older than its retention."""
    deleted = services.prune_alarm_events()
    if deleted:
        logger.info("pruned %d alarm events", deleted)
