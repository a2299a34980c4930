"""The audit log's periodic task; the logic is in audit.services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=300, time_limit=360)
def prune_audit_log() -> None:
    deleted = services.prune_old_entries()
    if deleted:
        logger.info("pruned %d audit entries past AUDIT_RETENTION_DAYS", deleted)
