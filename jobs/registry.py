"""What a feature tells the engine about one kind of job: a handler, registered
from the feature's AppConfig.ready(). The engine (below every feature) only ever
reaches feature code through here.

A handler's `run` does one item and answers a Step:
- Done(result, message): the item is finished with that result (the kind's vocabulary);
- Wait(next_at, data): park it until next_at (e.g. re-read an upgrade session then);
- Retry(after, message): try again after `after`, counted against the job's max_attempts.

A kind whose steps are short (one bounded request each) may say `batched`: the runner
then claims a chunk's items in one UPDATE and stores their steps in writes of many
(jobs/batched.py), instead of two writes per item; `prepare` sees the claimed items
first, and `after_write` the finished ones of each write.
"""

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import ItemState, Job, JobItem


@dataclass(frozen=True)
class Done:
    result: str
    message: str = ""
    # The item's data to store with the result (None: left as it is).
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Wait:
    next_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Retry:
    after: timedelta
    message: str = ""
    data: dict[str, Any] | None = None


Step = Done | Wait | Retry


@dataclass(frozen=True)
class Target:
    """How a job page shows one target: a label, a short code and a link."""

    label: str
    code: str = ""
    url: str = ""


class Handler:
    """Base class: a kind overrides run() and whatever else it needs."""

    kind: str = ""
    # The kind's results as (value, label), in the order pages list them.
    results: tuple[tuple[str, str], ...] = ()
    # The result of an item the engine gives up on (retries ran out, unexpected error).
    error_result: str = "error"
    # Prefix of the audit actions the engine writes: "<prefix>.finished", ".cancelled"...
    audit_prefix: str = ""
    # True for a kind that holds its job's in-flight cap itself (admit, and its own
    # count where it starts something): claims then skip the job row's lock and count.
    caps_itself: bool = False
    # Claim a chunk's items at once and settle them in writes of many (jobs/batched.py).
    # Only for steps of one bounded request each: every claimed item waits for the
    # ones before it, and a chunk's hard time limit bounds them all.
    batched: bool = False

    def title(self, job: Job) -> str:
        return job.action or job.kind

    @contextlib.contextmanager
    def chunk(self, job: Job) -> Iterator[Any]:
        """Around one chunk of items on a worker; what it yields is run()'s `context`
        (a shared connection, say)."""
        yield None

    def run(self, job: Job, item: JobItem, context: Any) -> Step:
        raise NotImplementedError

    def prepare(self, job: Job, items: list[JobItem], context: Any) -> None:
        """A batched kind: the chunk's claimed items, before the first one runs (read
        what they all need in one query, say)."""

    def admit(self, job: Job, item_ids: list[int]) -> list[int]:
        """Which of the job's due items (in the order they are due) the sweeper sends
        now: with an in-flight cap, as many as running items leave room for. A kind whose
        items count against the cap between steps (a rollout's upgrading devices) says so."""
        if not job.max_in_flight:
            return item_ids
        running = JobItem.objects.filter(job_id=job.id, state=ItemState.RUNNING).count()
        return item_ids[: max(job.max_in_flight - running, 0)]

    def interrupted(self, job: Job, item: JobItem, *, timed_out: bool = False) -> Step:
        """An item whose worker was lost (or cut by the time limit) while running it:
        nobody knows whether the work happened. The default gives it up."""
        return Done(self.error_result, "The worker stopped while working on this; check it and try again.")

    def item_finished(self, job: Job, item: JobItem) -> None:
        """Called once per item that reached Done (failure thresholds, waves...)."""

    def after_write(self, job: Job, finished: list[JobItem], context: Any) -> None:
        """A batched kind: after each write of steps, with the items it finished
        (item_finished for each by default)."""
        for item in finished:
            self.item_finished(job, item)

    def job_finished(self, job: Job) -> None:
        """Called once when the job has no open item left (before its "finished" audit
        entry, whose finished_params may report what this did)."""

    def targets(self, job: Job, target_ids: Iterable[int]) -> dict[int, Target]:
        return {}

    def finished_params(self, job: Job) -> dict[str, Any]:
        """Extra parameters for the "<prefix>.finished" audit entry."""
        return {}


_handlers: dict[str, Handler] = {}


def register(handler: Handler) -> None:
    if not handler.kind:
        raise ValueError("a handler needs a kind")
    _handlers[handler.kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no job handler registered for kind {kind!r}") from None


def known(kind: str) -> bool:
    return kind in _handlers
