"""The Celery app. Worker defaults favour never losing work over throughput:
a task is acknowledged only after it ran (acks_late), a worker takes one task at a
time (prefetch 1), and a task whose worker died goes back to the queue."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.settings")

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
app.conf.beat_schedule = {}
app.autodiscover_tasks()
