"""The Celery app. Worker defaults favour never losing work over throughput:
a task is acknowledged only after it ran (acks_late), a worker takes one task at a
time (prefetch 1), and a task whose worker died goes back to the queue."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from django.conf import settings
from kombu.transport import TRANSPORT_ALIASES

from .log_filters import ScrubTokens

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.settings")
# make run's filesystem broker: kombu's, reading each message whole (filesystem_broker.py).
TRANSPORT_ALIASES["filesystem"] = "rop_fleet.filesystem_broker:Transport"

app = Celery("rop_fleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=300,
    task_soft_time_limit=240,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
)
# Each task's queue (settings.QUEUE_*): polls, syncs and the job engine's sweeper never wait
# behind a bulk job, and what a person waits on (a "Sync now") is sent to the interactive
# queue by its view.
app.conf.task_routes = {
    "devices.tasks.polling.sync_all_partners": {"queue": settings.QUEUE_POLLING},
    "devices.tasks.polling.sync_partner_task": {"queue": settings.QUEUE_POLLING},
    "devices.tasks.polling.sweep_due_polls": {"queue": settings.QUEUE_POLLING},
    "devices.tasks.polling.poll_device_task": {"queue": settings.QUEUE_POLLING},
    "devices.tasks.polling.prune_health_samples": {"queue": settings.QUEUE_POLLING},
    "audit.tasks.prune_audit_log": {"queue": settings.QUEUE_POLLING},
    "alarms.tasks.prune_alarm_events": {"queue": settings.QUEUE_POLLING},
    "jobs.tasks.sweep": {"queue": settings.QUEUE_POLLING},
    "jobs.tasks.run_chunk": {"queue": settings.QUEUE_BULK},
    "firmware.tasks.push_image_task": {"queue": settings.QUEUE_BULK},
    "firmware.tasks.sweep_incoming_uploads": {"queue": settings.QUEUE_POLLING},
    # The Stop after a PTZ move's duration: a person started the move.
    "devices.tasks.commands.stop_ptz_task": {"queue": settings.QUEUE_INTERACTIVE},
}
# Periodic sweeps (devices/tasks/sync.py and polling.py, jobs/tasks.py) and prunes (audit/tasks.py,
# alarms/tasks.py). Intervals come from settings, read here once: SYNC_INTERVAL_SECONDS,
# POLL_SWEEP_SECONDS, HEALTH_PRUNE_SECONDS, JOBS_SWEEP_SECONDS.
app.conf.beat_schedule = {
    "sync-all-partners": {
        "task": "devices.tasks.polling.sync_all_partners",
        "schedule": float(getattr(settings, "SYNC_INTERVAL_SECONDS", 60)),
    },
    "sweep-due-polls": {
        "task": "devices.tasks.polling.sweep_due_polls",
        "schedule": float(getattr(settings, "POLL_SWEEP_SECONDS", 15)),
    },
    # The job engine's reconciler (jobs/sweeper.py): lost chunks, dead workers, idle jobs.
    # It expires after one interval, so a busy queue never piles sweeps up.
    "sweep-jobs": {
        "task": "jobs.tasks.sweep",
        "schedule": float(getattr(settings, "JOBS_SWEEP_SECONDS", 5)),
        "options": {"expires": float(getattr(settings, "JOBS_SWEEP_SECONDS", 5))},
    },
    "prune-health-samples": {
        "task": "devices.tasks.polling.prune_health_samples",
        "schedule": float(getattr(settings, "HEALTH_PRUNE_SECONDS", 3600)),
    },
    "prune-audit-log": {
        "task": "audit.tasks.prune_audit_log",
        "schedule": float(getattr(settings, "HEALTH_PRUNE_SECONDS", 3600)),
    },
    "prune-alarm-events": {
        "task": "alarms.tasks.prune_alarm_events",
        "schedule": float(getattr(settings, "HEALTH_PRUNE_SECONDS", 3600)),
    },
    "sweep-incoming-uploads": {
        "task": "firmware.tasks.sweep_incoming_uploads",
        "schedule": float(getattr(settings, "HEALTH_PRUNE_SECONDS", 3600)),
    },
}
app.autodiscover_tasks()


# A worker's logging is Celery's, not settings.LOGGING's: it takes over the root logger (and sets
# up the task logger) with handlers of its own, without the console handler's filters. Each of
# its handlers gets ScrubTokens too, so a LAN session token in a task's error or traceback never
# reaches the worker's log (docs/security.md).
@after_setup_logger.connect
@after_setup_task_logger.connect
def scrub_tokens_from_worker_logs(logger: logging.Logger, **kwargs: Any) -> None:
    for handler in logger.handlers:
        if not any(isinstance(existing, ScrubTokens) for existing in handler.filters):
            handler.addFilter(ScrubTokens())
