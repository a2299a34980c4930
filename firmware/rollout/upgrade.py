"""One device of a rollout: its steps, each decided from the state stored in its
job item's data, so that a step run twice (a redelivered chunk, a worker that died)
never starts a second upgrade session.

item.data keys:
- wave: the device's wave (0 = the canary group);
- step: "" (nothing started), "creating" (an upgrade session is being asked for:
  written, on the item's own row, before the request leaves), "upgrading" (a session
  of ours, id in `session`), "adopted" (the device was already upgrading when asked:
  that upgrade is followed, not doubled);
- session, started, expires (epoch seconds), checks: the session and its reads;
  timing, role, index, lo, hi, parked: when it is read (reads.py, learning.py);
- sessions: sessions created for this device by this rollout (ropsim's counters in
  the tests agree with it);
- tries, deferrals, repushes, limit_hits: retries of each kind; problem: why the
  last try did not happen (offline, asleep, low battery);
- maybe_created: a create request whose answer was lost (it may have started one);
- from_version: the device's firmware when its upgrade started (roll back uses it);
- reason: the failure's symbol (failure rules count by it); took: seconds an
  upgrade took (the middle of its bracket).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.request_budget import BudgetTimeout
from devices.models import Device, Family
from jobs.models import IN_FLIGHT_STEPS, OPEN_ITEM_STATES, ItemState, Job, JobItem, JobState
from jobs.registry import Done, Retry, Step, Wait
from rop import RopClient
from rop import errors as rop_errors
from rop.models import UpgradeStatus

from ..models import Rollout, RolloutResult
from ..pushing import forget_push, push_image
from . import reads, timing, window
from .targeting import runs_version

log = logging.getLogger(__name__)

CREATING, UPGRADING, ADOPTED = IN_FLIGHT_STEPS  # jobs.models: they count against the cap
# Items of later waves wait this long (until "next wave" makes them pending).
HELD_FOR = timedelta(days=3650)
# A retry soon after a request whose answer was lost or refused by the budget.
SOON = timedelta(seconds=2)
MAX_REPUSHES = 2
# A device waiting for room is due again soon, but the sweeper sends it only once
# there is room (admit); one is also woken at once when a device leaves the flight.
ROOM_RECHECK = timedelta(seconds=1)
WAITING_FOR_ROOM = "Waiting for room: the most devices in flight are upgrading."
# Reads of an adopted upgrade that find the device out of the online list before it is given up on.
MAX_ADOPTED_CHECKS = 12
# Typical upgrade times an adopted upgrade that may be ours gets before it is reported failed.
ADOPTED_PATIENCE = 3

FAILURE_WORDS = {
    UpgradeStatus.FILE_CHECK_FAILED: "The device rejected the image (file_check_failed): is it for this model?",
    UpgradeStatus.OUT_OF_MEMORY: "The device ran out of memory during the upgrade (out_of_memory).",
    UpgradeStatus.UNKNOWN_ERROR: "The upgrade failed with an unknown error (unknown_error).",
    UpgradeStatus.FAILED: "The device refused the upgrade (failed).",
    UpgradeStatus.FOCUS_ERROR: "The device reported a focus error during the upgrade (focus_error).",
}


@dataclass
class Context:
    """What a chunk shares: its rollout, one Core Server client, each timing class's
    reads (read once per chunk: no query per device), its devices and the room in
    flight taken for them (prepare), how many left the flight without finishing, and
    the classes in which a device was parked (reads.learn)."""

    rollout: Rollout
    client: RopClient
    _online: dict[str, str] | None = None
    devices: dict[int, Device] = field(default_factory=dict)
    room: set[int] = field(default_factory=set)
    left_flight: int = 0
    classes: dict[str, reads.ClassReads] = field(default_factory=dict)
    parked: set[str] = field(default_factory=set)

    def reads_for(self, job: Job, device: Device) -> reads.ClassReads:
        key = timing.class_key(device.model, self.rollout.image.size)
        if key not in self.classes:
            self.classes[key] = reads.class_reads(job, key)
        return self.classes[key]

    def typical(self, job: Job, device: Device) -> float:
        """The device's typical upgrade time, as far as it is known."""
        return self.reads_for(job, device).estimate.typical or timing.default_upgrade_seconds()

    def reported_version(self, uid: str) -> str | None:
        """The device's firmware in the online list, None when it is not there. The
        list is the whole fleet in one request: read once per chunk, not per device."""
        if self._online is None:
            try:
                self._online = {online.uid: online.firmware for online in self.client.list_online_devices()}
            except (rop_errors.RopError, BudgetTimeout) as exc:
                log.info("rollout: online list unreadable while following upgrades: %r", exc)
                return None
        return self._online.get(uid)


def held_until(now: datetime) -> datetime:
    return now + HELD_FOR


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def keep(item: JobItem, data: dict[str, Any]) -> bool:
    """Store the device's state now, on its own row, while this worker holds it: the
    next step (a request that starts something) must find it there after any crash."""
    won = JobItem.objects.filter(id=item.id, state=ItemState.RUNNING, lease_until=item.lease_until).update(
        data=data, updated_at=timezone.now()
    )
    item.data = data
    return won == 1


def step(ctx: Context, job: Job, item: JobItem) -> Step:
    rollout, now = ctx.rollout, timezone.now()
    data = dict(item.data or {})
    wave = int(data.get("wave", 0))
    if wave > rollout.current_wave:
        return Wait(held_until(now), data, f"Waits for wave {wave + 1}.")
    device = ctx.devices.get(item.target_id)  # read for the whole chunk by prepare()
    if device is None:
        return Done(RolloutResult.SKIPPED, "The device was removed from the console.")
    if data.get("step") in (UPGRADING, ADOPTED):
        return _check(ctx, job, item, device, data, now)
    if job.state == JobState.CANCELLED:
        # Followed after the cancel only while upgrading: nothing new starts.
        return Done(RolloutResult.CANCELLED, "The rollout was cancelled before this device started again.", data=data)
    return _start(ctx, job, item, device, data, now)


# --- starting an upgrade ------------------------------------------------------------------


def _start(ctx: Context, job: Job, item: JobItem, device: Device, data: dict[str, Any], now: datetime) -> Step:
    rollout, client = ctx.rollout, ctx.client
    data["step"] = ""
    data.pop("reserved", None)
    if rollout.deadline and now >= rollout.deadline:
        return _past_deadline(item, data)
    later = window.not_before(
        now,
        starts_at=rollout.starts_at,
        start=rollout.window_start,
        end=rollout.window_end,
        zone=ZoneInfo(rollout.partner.time_zone),
    )
    if later is not None:
        # Nothing starts now; devices already upgrading are followed as usual.
        if rollout.deadline:
            later = min(later, rollout.deadline)
        why = "Waits for the rollout's start time." if rollout.starts_at and now < rollout.starts_at else ""
        return Wait(later, data, why or "Waits for the maintenance window.")
    low = rollout.min_battery_percent
    if device.family == Family.BATTERY and device.battery_percent is not None and device.battery_percent < low:
        return _defer(rollout, item, data, now, f"Battery at {device.battery_percent} %, under the minimum of {low} %.")
    image = rollout.image
    if image.uploaded_to_rop_at is None:
        image.refresh_from_db()  # another device of the chunk may have pushed it
    if image.uploaded_to_rop_at is None:
        pushed = push_image(image.id, client=client)
        if pushed.result == "busy":
            return Wait(now + timedelta(seconds=5), data, "Waiting for the image to reach the Core Server.")
        if not pushed.ok:
            return Retry(
                timedelta(seconds=timing.retry_seconds()), f"The image could not be pushed: {pushed.message}", data=data
            )
    if data.get("maybe_created"):
        # A request of ours may have started an upgrade that has ended by now (a worker
        # died before storing the answer): the online list says whether it took, before
        # anything is asked again.
        reported = ctx.reported_version(device.uid)
        if reported is not None and _runs_image(rollout, reported):
            return _succeeded(ctx, item, data, now)
        if reported is None:  # rebooting into it, most likely: follow it
            return _adopt(ctx, job, device, data, now)
    if not _ask_now(ctx, item, data):
        # Woken when a device in flight finishes (release.wake_waiters); the wait is
        # only the fallback, so that a full rollout does not spin on its own items.
        data["room"] = True
        return Wait(now + ROOM_RECHECK, data, WAITING_FOR_ROOM)
    # data["step"] is "creating" on the row from here: a crash now is seen by interrupted().
    try:
        session = client.create_upgrade_session(device.uid, image.file_name, rollout.factory_reset)
    except rop_errors.FileNotFound:
        forget_push(image.id, "An upgrade session answered file_not_found: the Core Server no longer has it.")
        image.uploaded_to_rop_at = None
        data.update(step="", repushes=int(data.get("repushes", 0)) + 1)
        if data["repushes"] > MAX_REPUSHES:
            return Retry(
                timedelta(seconds=timing.retry_seconds()), "The Core Server keeps losing the image.", data=data
            )
        return Wait(now, data, "The Core Server no longer had the image: pushing it again.")
    except rop_errors.DuplicateUpgrade:
        return _adopt(ctx, job, device, data, now)
    except rop_errors.UpgradeSessionLimitReached:
        lowered = lower_in_flight(job, item)
        # Waits for room like any device over the cap (woken when one in flight ends);
        # the back-off is only the fallback, half an upgrade as far as it is known.
        data.update(step="", room=True, limit_hits=int(data.get("limit_hits", 0)) + 1)
        wait = timing.retry_after(data["limit_hits"], max(1.0, ctx.typical(job, device) / 2))
        return Wait(now + wait, data, f"The Core Server's upgrade session limit was reached; in flight now {lowered}.")
    except (rop_errors.DeviceOffline, rop_errors.WakeUpTimeout) as exc:
        if isinstance(exc, rop_errors.DeviceOffline) and data.get("was_upgrading"):
            # Seen upgrading a moment ago, offline now: rebooting into the image, most likely.
            data.update(step=ADOPTED, session="", was_upgrading=False)
            typical = ctx.typical(job, device)
            return Wait(now + timing.next_check(typical, 1), data, "Following the device's upgrade (rebooting).")
        data["step"] = ""
        ctx.left_flight += 1
        words = "asleep and did not wake up" if isinstance(exc, rop_errors.WakeUpTimeout) else "offline"
        return _unreachable(rollout, item, data, now, f"The device is {words}.")
    except BudgetTimeout:
        data["step"] = ""
        return Wait(now + SOON, data, "The partner's request budget is used up: trying again shortly.")
    except (
        rop_errors.RopUnavailable,
        rop_errors.ServerInternalError,
        rop_errors.CommandTimeout,
        rop_errors.CommandExecError,
    ) as exc:
        # The request may have started an upgrade whose answer was lost: ask again soon,
        # while it would still be running, so that duplicate_upgrade tells us.
        # cmd_exec_error too: the device did not carry the command out this time, which
        # says nothing about the image or the device (docs/rollouts.md); Retry counts
        # the tries, so one that keeps failing still fails after job.max_attempts.
        data.update(step="", maybe_created=True)
        return Retry(
            SOON, f"The Core Server did not confirm the upgrade session ({exc.symbol or 'no answer'}).", data=data
        )
    except rop_errors.RopError as exc:
        data.update(step="", reason=exc.symbol or "error")
        return Done(RolloutResult.FAILED, f"The Core Server refused the upgrade session ({exc.symbol}).", data=data)
    data.update(
        step=UPGRADING,
        session=session.session_id,
        sessions=int(data.get("sessions", 0)) + 1,
        from_version=device.firmware_version,
        maybe_created=False,
    )
    when = reads.started(ctx.reads_for(job, device), item.id, data, session.expired_in)
    return _read_at(ctx, when, data)


def _read_at(ctx: Context, when: datetime, data: dict[str, Any]) -> Wait:
    if data.get("parked"):
        ctx.parked.add(str(data.get("timing")))
    return Wait(when, data, "Upgrading.")


def in_flight(job_id: int, besides: list[int] | None = None) -> int:
    """The job's devices in flight or about to be: upgrading between two reads, and every
    item sent to a worker or held by one (a device sent to start counts from then on,
    or the next sweep would send more than there is room for). Two counts, each on its
    index (jobitem_job_in_flight: the same step list, in the same order).
    `besides`: the items being chosen now (a pending one among them is due again, its
    chunk lost: it is not in flight yet)."""
    items = JobItem.objects.filter(job_id=job_id)
    waiting = items.filter(data__step__in=IN_FLIGHT_STEPS, state=ItemState.WAITING).count()
    sent = items.filter(state__in=(ItemState.PENDING, ItemState.RUNNING))
    if besides:
        sent = sent.exclude(id__in=besides, state=ItemState.PENDING)
    return waiting + sent.count()


def admit(job: Job, item_ids: list[int]) -> list[int]:
    """Which due items the sweeper sends: reads of upgrades always; devices that would
    ask for a session only while the job's in-flight cap leaves room. The others stay
    waiting, untouched, instead of each being claimed only to find no room."""
    if not job.max_in_flight:
        return item_ids
    steps = dict(JobItem.objects.filter(id__in=item_ids).values_list("id", "data__step"))
    room = max(job.max_in_flight - in_flight(job.id, item_ids), 0)
    admitted = []
    for item_id in item_ids:
        if steps.get(item_id) in IN_FLIGHT_STEPS:
            admitted.append(item_id)
        elif room > 0:
            admitted.append(item_id)
            room -= 1
    return admitted


def prepare(ctx: Context, job: Job, items: list[JobItem]) -> None:
    """Before a chunk's steps: its devices in one query, and room in flight for those
    that may ask for a session, taken once for them all (see _take_room)."""
    rollout = ctx.rollout
    ctx.devices = Device.objects.filter(partner_id=rollout.partner_id).in_bulk([item.target_id for item in items])
    if job.state == JobState.CANCELLED:
        return
    starters = [
        item
        for item in items
        if item.target_id in ctx.devices
        and int((item.data or {}).get("wave", 0)) <= rollout.current_wave
        and (item.data or {}).get("step") not in (UPGRADING, ADOPTED)
    ]
    if starters:
        ctx.room = _take_room(job, starters, lambda chosen: _choose_scouts(ctx, job, chosen))


def _choose_scouts(ctx: Context, job: Job, chosen: list[JobItem]) -> None:
    """Scouts among the devices about to ask, under the job row's lock: a class's first
    few, and never more at once however many chunks start together (reads.choose_scouts)."""
    by_class: dict[str, list[JobItem]] = {}
    for item in chosen:
        reads_ = ctx.reads_for(job, ctx.devices[item.target_id])
        by_class.setdefault(reads_.key, []).append(item)
    for key, items in by_class.items():
        reads.choose_scouts(job, ctx.classes[key], items)


def _take_room(job: Job, starters: list[JobItem], also: Callable[[list[JobItem]], None]) -> set[int]:
    """Mark as many of these devices "creating" (and "reserved": not asked yet) as the
    job's max_in_flight leaves room for. The job row's lock makes the count and the
    marks one step across workers; one lock, count and write for the chunk, instead of
    one per device. A device that then does not ask (its battery is low, say) gives its
    place back when its step is stored. `also`: more marks for the chosen, under the lock."""
    with transaction.atomic():
        cap = Job.objects.select_for_update().filter(id=job.id).values_list("max_in_flight", flat=True).first()
        chosen = starters
        if cap:
            # Pending ones too: a device whose next read is on its way to a worker.
            busy = (
                JobItem.objects.filter(job_id=job.id, data__step__in=IN_FLIGHT_STEPS, state__in=OPEN_ITEM_STATES)
                .exclude(id__in=[item.id for item in starters])
                .count()
            )
            chosen = starters[: max(cap - busy, 0)]
        for item in chosen:
            item.data = {**(item.data or {}), "step": CREATING, "room": False, "reserved": True}
            item.data.pop("role", None)
        also(chosen)  # under the same lock
        if chosen:
            held = JobItem.objects.filter(state=ItemState.RUNNING, lease_until=chosen[0].lease_until)
            held.bulk_update(chosen, ["data"])
    return {item.id for item in chosen}


def _ask_now(ctx: Context, item: JobItem, data: dict[str, Any]) -> bool:
    """A device with room taken for it: stored as asked ("creating", no longer only
    reserved) on its own row before the request leaves, so that after a crash the
    next try knows the request may have started an upgrade (interrupted)."""
    if item.id not in ctx.room:
        return False
    data.update(step=CREATING, room=False, reserved=False)
    return keep(item, data)


def lower_in_flight(job: Job, item: JobItem) -> int:
    """up_to_upgrade_session_limit: the Core Server holds no more sessions than are
    running now, so the rollout takes no more than it has in flight (at least one).
    In flight: upgrading, and asked for a session whose answer is not stored yet
    (workers store a chunk's answers together: jobs/batched.py); not `item`, refused."""
    asked = Q(data__step=CREATING, data__reserved=False)
    busy = (
        JobItem.objects.filter(job_id=job.id, state__in=OPEN_ITEM_STATES)
        .filter(Q(data__step__in=(UPGRADING, ADOPTED)) | asked)
        .exclude(id=item.id)
        .count()
    )
    lowered = max(1, busy)
    Job.objects.filter(id=job.id).filter(Q(max_in_flight__isnull=True) | Q(max_in_flight__gt=lowered)).update(
        max_in_flight=lowered
    )
    job.max_in_flight = min(job.max_in_flight or lowered, lowered)
    return job.max_in_flight


def _adopt(ctx: Context, job: Job, device: Device, data: dict[str, Any], now: datetime) -> Step:
    """duplicate_upgrade: the device is upgrading already (maybe by a request of ours
    whose answer was lost). Follow that upgrade; never start a second one. Not timed:
    when it started is not known."""
    data.update(step=ADOPTED, session="", started=_ts(now), checks=0, role="")
    typical = ctx.typical(job, device)
    return Wait(now + timedelta(seconds=typical), data, "The device was already upgrading: following that upgrade.")


# --- following an upgrade -----------------------------------------------------------------


def _check(ctx: Context, job: Job, item: JobItem, device: Device, data: dict[str, Any], now: datetime) -> Step:
    client = ctx.client
    if not data.get("session"):
        return _check_adopted(ctx, job, item, device, data, now)
    try:
        status = client.get_upgrade_status(device.uid, str(data["session"]))
    except rop_errors.SessionNotFound:
        return _without_session(ctx, item, device, data, "The upgrade session expired before its result was read")
    except (BudgetTimeout, rop_errors.RopUnavailable, rop_errors.ServerInternalError, rop_errors.CommandTimeout):
        return Wait(now + SOON * 5, data, "The session could not be read just now: reading it again shortly.")
    except rop_errors.RopError as exc:
        # An answer we do not understand: counted, so that it ends after max_attempts.
        return Retry(SOON * 5, f"The upgrade session's status could not be read ({exc.symbol or exc}).")
    if status == UpgradeStatus.UPGRADING:
        return _read_at(ctx, reads.running(ctx.reads_for(job, device), data), data)
    reads.over(data)
    if status == UpgradeStatus.SUCCESS:
        return _succeeded(ctx, item, data, now)
    if status == UpgradeStatus.SAME_VERSION:
        if data.get("was_upgrading"):
            # The upgrade that was running when this rollout came brought the version.
            return Done(RolloutResult.SUCCEEDED, "Upgraded by the upgrade that was already running.", data=data)
        return Done(RolloutResult.SAME_VERSION, "The device already ran this version.", data=data)
    if status == UpgradeStatus.LOW_BATTERY:
        data.update(step="", session="")
        ctx.left_flight += 1
        return _defer(ctx.rollout, item, data, now, "The device answered low_battery.")
    data["reason"] = str(status)
    return Done(RolloutResult.FAILED, FAILURE_WORDS.get(status, f"The upgrade ended with {status}."), data=data)


def _succeeded(ctx: Context, item: JobItem, data: dict[str, Any], now: datetime) -> Step:
    image = ctx.rollout.image
    before = data.get("from_version") or "an unknown version"
    return Done(RolloutResult.SUCCEEDED, f"Upgraded from {before} to {image.version or image.file_name}.", data=data)


def _check_adopted(ctx: Context, job: Job, item: JobItem, device: Device, data: dict[str, Any], now: datetime) -> Step:
    """An upgrade we follow without its session id: the online list says when the
    device runs the new version; creating a session says whether it still upgrades."""
    data["checks"] = int(data.get("checks", 0)) + 1
    typical = ctx.typical(job, device)
    reported = ctx.reported_version(device.uid)
    if reported is not None and _runs_image(ctx.rollout, reported):
        return _succeeded(ctx, item, data, now)
    if reported is None and data["checks"] < MAX_ADOPTED_CHECKS:
        # Not in the online list: rebooting into the new image, most likely.
        return Wait(
            now + timing.next_check(typical, data["checks"]), data, "Following the device's upgrade (rebooting)."
        )
    patient = _ts(now) - float(data.get("started", 0)) < ADOPTED_PATIENCE * typical
    if data.get("maybe_created"):
        # The upgrade may be ours: asking again could start a second one. Give it the
        # time an upgrade takes a few times over, then report what the device runs.
        if patient:
            return Wait(now + timing.next_check(typical, data["checks"]), data, "Following the device's upgrade.")
        data["reason"] = "unknown_outcome"
        return Done(
            RolloutResult.FAILED,
            f"An upgrade started by a request whose answer was lost did not bring the new version (the device"
            f" reports {reported or 'nothing'}). Retry failed devices to try again.",
            data=data,
        )
    # Someone else's upgrade: once it can have ended, asking for ours says whether it did
    # (duplicate_upgrade: not yet); ours is then the first of this rollout.
    if patient:
        return Wait(now + timing.next_check(typical, data["checks"]), data, "Following the device's upgrade.")
    data.update(step="", session="", was_upgrading=True)
    return Wait(now + timing.next_check(typical, data["checks"]), data, "The device was upgrading: trying again.")


def _without_session(ctx: Context, item: JobItem, device: Device, data: dict[str, Any], why: str) -> Step:
    reported = ctx.reported_version(device.uid)
    if reported is not None and _runs_image(ctx.rollout, reported):
        return _succeeded(ctx, item, data, timezone.now())
    data["reason"] = "session_not_found"
    return Done(RolloutResult.FAILED, f"{why}; the device reports {reported or 'no version'}.", data=data)


def _runs_image(rollout: Rollout, version: str) -> bool:
    return runs_version(version, rollout.image.version)


# --- not now ------------------------------------------------------------------------------


def _unreachable(rollout: Rollout, item: JobItem, data: dict[str, Any], now: datetime, message: str) -> Step:
    """Offline or asleep: tried again until the deadline (or MAX_TRIES), then skipped."""
    data["tries"] = int(data.get("tries", 0)) + 1
    data["problem"] = message
    wait = timing.retry_after(data["tries"], timing.retry_seconds())
    out_of_time = rollout.deadline is not None and now + wait > rollout.deadline
    if out_of_time or (rollout.deadline is None and data["tries"] >= timing.MAX_TRIES):
        return Done(
            RolloutResult.SKIPPED,
            f"{message} Tried {data['tries']} times until the rollout's deadline."[:255],
            data=data,
        )
    return Wait(now + wait, data, f"{message} Trying again later ({data['tries']} tries so far).")


def _defer(rollout: Rollout, item: JobItem, data: dict[str, Any], now: datetime, message: str) -> Step:
    """Low battery: retried later, never a failure; still low at the deadline: deferred."""
    data["deferrals"] = int(data.get("deferrals", 0)) + 1
    data["problem"] = message
    wait = timedelta(seconds=timing.defer_seconds())
    out_of_time = rollout.deadline is not None and now + wait > rollout.deadline
    if out_of_time or (rollout.deadline is None and data["deferrals"] >= timing.MAX_TRIES):
        return Done(RolloutResult.DEFERRED, f"{message} Still not upgraded at the rollout's deadline.", data=data)
    return Wait(now + wait, data, f"Deferred: {message}")


def _past_deadline(item: JobItem, data: dict[str, Any]) -> Step:
    last = f" Last try: {data['problem']}" if data.get("problem") else ""
    if data.get("deferrals"):
        return Done(RolloutResult.DEFERRED, f"Deferred until the rollout's deadline.{last}"[:255], data=data)
    return Done(
        RolloutResult.SKIPPED,
        f"The rollout's deadline passed before the device could be upgraded.{last}"[:255],
        data=data,
    )


def interrupted(item: JobItem) -> Step:
    """The worker was lost mid-step: re-read what the row says, never start again blind."""
    data = dict(item.data or {})
    now = timezone.now()
    if data.get("session") or data.get("step") == ADOPTED:
        return Wait(now, data, "The worker stopped: reading the upgrade session again.")
    if data.get("step") == CREATING and data.get("reserved"):
        # Room was taken for it, but its request never left.
        data.update(step="", reserved=False)
        return Wait(now, data, "The worker stopped before this device was asked: trying again.")
    if data.get("step") == CREATING:
        # The request may have started an upgrade: the next try asks again at once,
        # and duplicate_upgrade then means it did (followed, not doubled).
        data.update(step="", maybe_created=True)
        return Wait(now, data, "The worker stopped while asking for an upgrade session: checking it.")
    return Wait(now, data, "The worker stopped: trying again.")
