"""Fleet-wide recording searches on the job engine: one item per device, asked by
the engine's chunk tasks (chunks of 50 share one client; chunks run on as many
workers as there are, up to the job's in-flight cap), every request inside the
partner's request budget that all workers share. Each device ends with a result:
found recordings (its hits, stored as they come) or its problem in words. No
device's problem fails the search."""

import contextlib
import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction

from audit import services as audit
from devices.connection import ROP_FAILURES, through_core_server
from devices.job_targets import device_targets
from devices.models import Device, Family
from jobs.dispatch import CHUNK_SIZE
from jobs.models import Job, JobItem
from jobs.registry import Done, Handler, Retry, Step, Target
from jobs.services import create_job
from partners.models import Partner
from rop import RopClient

from . import connection
from .models import RecordingSearch, SearchHit
from .problems import LAN_DEVICE, NOT_WOKEN, Problem, failure_of

KIND = "recording_search"
REMOVED = "The device was removed."
OFFLINE = "The device is offline (as last seen by the console); it was not asked."
# Lost workers: a read is safe to do again.
AGAIN = dt.timedelta(seconds=0)


def in_flight_cap(devices: int) -> int | None:
    """The job's in-flight cap, only where it can bind. A chunk asks its devices one at a
    time, so a search of at most RECORDING_SEARCH_CONCURRENCY chunks never has more devices
    in flight than that; the engine's cap (a lock on the job row at every claim, which
    costs a third of the time of a 500-device search here) is for bigger searches."""
    cap = settings.RECORDING_SEARCH_CONCURRENCY
    if not cap or math.ceil(devices / CHUNK_SIZE) <= cap:
        return None
    return int(cap)


def start_search(
    partner: Partner,
    user: Any,
    device_ids: list[int],
    *,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    stream: str,
    wake_battery: bool,
    scope: str,
) -> RecordingSearch:
    """The search and its job in one transaction; the job's chunks go on commit."""
    with transaction.atomic():
        job = create_job(
            partner,
            user,
            KIND,
            device_ids,
            action="search",
            params={"day": day.isoformat(), "start": f"{start:%H:%M:%S}", "end": f"{end:%H:%M:%S}", "stream": stream},
            max_in_flight=in_flight_cap(len(device_ids)),
            max_attempts=2,
        )
        search = RecordingSearch.objects.create(
            partner=partner,
            job=job,
            day=day,
            start=start,
            end=end,
            stream=stream,
            wake_battery=wake_battery,
            scope=scope[:200],
        )
        audit.record(
            partner,
            "recordings.search.started",
            user=user,
            params={"search": search.id, "job": job.id, "devices": len(device_ids), "day": day.isoformat()},
        )
    return search


def search_device(search: RecordingSearch, device: Device, client: RopClient | None = None) -> Done:
    """Ask one device for the search's recordings (every channel, every page); store
    what it has and answer its result."""
    if not through_core_server(device.transport):
        return Done(Problem.NOT_SUPPORTED, LAN_DEVICE)
    if device.family == Family.BATTERY and not search.wake_battery:
        return Done(Problem.ASLEEP, NOT_WOKEN)
    if not device.online:
        return Done(Problem.OFFLINE, OFFLINE)
    found = 0
    try:
        with connection.for_search(device.partner, client) as rop:
            for channel in range(max(1, device.channel_count)):
                clips = rop.iter_recordings(device.uid, channel, search.stream, search.day, search.start, search.end)
                hits = [
                    SearchHit(
                        search=search,
                        device=device,
                        device_uid=device.uid,
                        device_name=device.display_name,
                        channel=channel,
                        start_time=clip.start_time.replace(tzinfo=dt.UTC),
                        end_time=clip.end_time.replace(tzinfo=dt.UTC),
                        file_name=clip.file_name[:255],
                    )
                    for clip in clips
                ]
                # Each channel's hits show as soon as it is read.
                SearchHit.objects.bulk_create(hits, ignore_conflicts=True)
                found += len(hits)
    except ROP_FAILURES as exc:
        failure = failure_of(exc)
        message = failure.message if not found else f"{failure.message} ({found} recordings found before that.)"
        return Done(failure.result, message)
    return Done(Problem.OK, f"{found} recording{'s' if found != 1 else ''}.")


class SearchHandler(Handler):
    kind = KIND
    results = Problem.CHOICES
    error_result = Problem.ERROR
    audit_prefix = "recordings.search"

    def title(self, job: Job) -> str:
        return f"Recordings of {job.params.get('day', '?')}, {job.params.get('start')}–{job.params.get('end')}"

    @contextlib.contextmanager
    def chunk(self, job: Job) -> Iterator[Any]:
        search = RecordingSearch.objects.select_related("partner").get(job=job)
        with connection.for_search(job.partner) as client:
            yield search, client

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        search, client = context
        device = Device.objects.filter(partner=job.partner, id=item.target_id).select_related("partner").first()
        if device is None:
            return Done(Problem.ERROR, REMOVED)
        return search_device(search, device, client)

    def interrupted(self, job: Job, item: JobItem, *, timed_out: bool = False) -> Step:
        # Reading is safe to repeat (hits are stored once each): ask the device again.
        return Retry(AGAIN, "The worker stopped while asking this device; asking it again.")

    def targets(self, job: Job, target_ids: Iterable[int]) -> dict[int, Target]:
        return device_targets(job, target_ids)
