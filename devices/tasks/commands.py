"""The Stop the console sends by itself when a PTZ move's duration ends.

A task with a countdown on the interactive queue (a person started the move), so a
closed browser tab never leaves a camera turning. Idempotent: a second Stop is harmless."""

from celery import shared_task

from .. import commands
from ..models import Device


@shared_task(soft_time_limit=30, time_limit=45)
def stop_ptz_task(device_id: int, channel: int) -> None:
    device = Device.objects.select_related("partner").filter(id=device_id).first()
    if device is not None:
        commands.stop_ptz(device, channel)
