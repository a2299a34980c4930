"""Celery tasks of the devices app, one module per concern; autodiscovery imports
this package, so every task module must be imported here."""

from .commands import stop_ptz_task  # noqa: F401
from .polling import poll_device_task, prune_health_samples, sweep_due_polls  # noqa: F401
from .sync import sync_all_partners, sync_partner_task  # noqa: F401
