"""How hard a call tries, by who is waiting for it.

Interactive: a person waits on the page, so an exhausted budget, a rate limit or a
failing server is given up on within seconds (and said) rather than retried for a
minute. Poll: background polls retry once and wait briefly for the budget, so one
unresponsive device cannot hold a worker for minutes. Bulk: jobs keep the client's
own patient policy (they have a lease, not a person, waiting)."""

from typing import Any

from django.conf import settings

from rop import RetryPolicy

INTERACTIVE = "interactive"
POLL = "poll"
BULK = "bulk"
SEARCH = "search"

INTERACTIVE_MAX_WAIT = 5.0
INTERACTIVE_RETRY = RetryPolicy(max_retries=1, backoff_base=0.3, backoff_max=1.0, max_retry_after=2.0)
POLL_RETRY = RetryPolicy(max_retries=1, backoff_base=0.5, backoff_max=2.0, max_retry_after=10.0)
# A fleet-wide recordings search waits its turn in the budget rather than fail (the budget,
# shared by the whole fleet, is its bound) and retries once; each device's calls end
# within RECORDING_SEARCH_DEVICE_SECONDS.
SEARCH_MAX_WAIT = 60.0
SEARCH_RETRY = RetryPolicy(max_retries=1, backoff_base=0.3, backoff_max=1.0, max_retry_after=5.0)
# How long a poll may wait for a budget token before giving the slot back.
POLL_BUDGET_WAIT_SECONDS = 10.0
# A LAN camera is asked directly: a person waits at most this long for one answer,
# whatever the device's own (background) timeout says.
INTERACTIVE_LAN_TIMEOUT_SECONDS = 8.0


def rop_options(kind: str) -> dict[str, Any]:
    """rop_client_for's options for `kind` (INTERACTIVE, POLL, BULK, SEARCH); the deadline
    bounds each whole call."""
    if kind == INTERACTIVE:
        return {
            "max_wait": INTERACTIVE_MAX_WAIT,
            "retry": INTERACTIVE_RETRY,
            "deadline": settings.ROP_INTERACTIVE_DEADLINE_SECONDS,
        }
    if kind == POLL:
        # Each call of a poll ends within the deadline, so a hung Core Server holds a
        # worker slot for one deadline per call until its circuit opens.
        return {
            "max_wait": POLL_BUDGET_WAIT_SECONDS,
            "retry": POLL_RETRY,
            "deadline": float(settings.ROP_BACKGROUND_DEADLINE_SECONDS),
        }
    if kind == SEARCH:
        return {
            "max_wait": SEARCH_MAX_WAIT,
            "retry": SEARCH_RETRY,
            "deadline": float(settings.RECORDING_SEARCH_DEVICE_SECONDS),
        }
    return {}


def lan_timeout(timeout_ms: int, *, interactive: bool) -> float:
    seconds = max(0.5, timeout_ms / 1000)
    return min(seconds, INTERACTIVE_LAN_TIMEOUT_SECONDS) if interactive else seconds
