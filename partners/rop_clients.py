"""The one place a partner's RopClient is built: its Core Server URL, its
gateway credentials and its request budget shared by every worker."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from core.request_budget import RequestBudget
from rop import RetryPolicy, RopClient

from .models import Partner


def rop_client_for(partner: Partner, *, max_wait: float = 30.0, retry: RetryPolicy | None = None) -> RopClient:
    """`retry`: background work (polling) passes a shorter policy so that one
    unresponsive device cannot hold a worker for minutes."""
    token = partner.gateway_token or None
    return RopClient(
        base_url=partner.rop_base_url,
        token=token,
        timeout=settings.ROP_TIMEOUT_SECONDS,
        auth_header=partner.gateway_auth_header or "Authorization",
        retry=retry,
        limiter=RequestBudget(f"partner:{partner.id}", partner.request_budget, max_wait=max_wait),
    )


@contextmanager
def using_client(partner: Partner, client: RopClient | None = None, **options: Any) -> Iterator[RopClient]:
    """The caller's client as it is, or a new one for `partner` (with `options` as for
    rop_client_for) that is closed afterwards: services take an optional client so that
    a bulk chunk or a view can share one connection pool across calls."""
    if client is not None:
        yield client
        return
    with rop_client_for(partner, **options) as own:
        yield own
