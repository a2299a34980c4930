"""Releasing held items: the next wave (its items, held waiting until now, become
pending and their chunks are sent once that commits; both "next wave" and
auto-advance come here, and the conditional UPDATE of current_wave lets exactly one
of them win), and a device waiting for room when one in flight finishes."""

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from jobs.dispatch import chunk_ranges, send_chunks
from jobs.models import ItemState, JobItem
from jobs.timing import dispatch_grace

from ..models import Rollout


def release_wave(rollout: Rollout, from_wave: int, *, user: Any) -> int | None:
    """Move from wave `from_wave` to the next; None if someone else did, or none is left."""
    if from_wave + 1 >= len(rollout.waves):
        return None
    now = timezone.now()
    with transaction.atomic():
        if not Rollout.objects.filter(id=rollout.id, current_wave=from_wave).update(current_wave=from_wave + 1):
            return None
        held = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.WAITING, data__wave=from_wave + 1)
        ids = list(held.values_list("id", flat=True))
        held.update(state=ItemState.PENDING, next_at=now + dispatch_grace(), message="", updated_at=now)
        audit.record(
            rollout.partner,
            "rollout.next_wave",
            user=user,
            params={"job": rollout.job_id, "rollout": rollout.id, "wave": from_wave + 2, "devices": len(ids)},
            message="" if user is not None else "Started by itself: the previous wave reached its success share.",
        )
        transaction.on_commit(partial(send_chunks, rollout.job_id, chunk_ranges(ids)), robust=True)
    rollout.current_wave = from_wave + 1
    return rollout.current_wave


def wake_waiters(job_id: int, count: int = 1) -> int:
    """Devices that wait for room (upgrade.py) run again now: one leaves per device
    that finishes, instead of every waiting device polling for a free place."""
    now = timezone.now()
    waiting = JobItem.objects.filter(job_id=job_id, state=ItemState.WAITING, data__room=True)
    woken = list(waiting.order_by("id").values_list("id", flat=True)[:count])
    if not woken:
        return 0
    # Conditional: a sweep may have made some due meanwhile (a chunk that finds one of
    # them no longer pending leaves it alone).
    JobItem.objects.filter(id__in=woken, state=ItemState.WAITING).update(
        state=ItemState.PENDING, next_at=now + dispatch_grace(), updated_at=now
    )
    transaction.on_commit(partial(send_chunks, job_id, chunk_ranges(woken)), robust=True)
    return len(woken)
