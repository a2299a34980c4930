"""The one place recordings builds its ROP clients (through partners.rop_clients.using_client),
so that the device-connection layer can replace it in one spot.

Two policies: a person waiting on the device page (the device page's interactive
policy: seconds, then a message), and a fleet search on a worker (a longer wait for
the partner's budget, which the whole fleet shares, and one retry)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from devices.device_reads import interactive_options
from partners.models import Partner
from partners.rop_clients import using_client
from rop import RetryPolicy, RopClient

# A search waits its turn in the budget rather than fail: the budget is the bound.
SEARCH_MAX_WAIT = 60.0
SEARCH_RETRY = RetryPolicy(max_retries=1, backoff_base=0.3, backoff_max=1.0, max_retry_after=5.0)


@contextmanager
def interactive(partner: Partner, client: RopClient | None = None) -> Iterator[RopClient]:
    with using_client(partner, client, **interactive_options()) as rop:
        yield rop


@contextmanager
def for_search(partner: Partner, client: RopClient | None = None) -> Iterator[RopClient]:
    with using_client(
        partner,
        client,
        max_wait=SEARCH_MAX_WAIT,
        retry=SEARCH_RETRY,
        deadline=settings.RECORDING_SEARCH_DEVICE_SECONDS,
    ) as rop:
        yield rop
