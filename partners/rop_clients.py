"""The one place a partner's RopClient is built: its Core Server URL, its
gateway credentials, its request budget shared by every worker, and the addresses the
installation lets it connect to."""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.request_budget import RequestBudget
from rop import AddressPolicy, RetryPolicy, RopClient
from rop.addresses import Network, parse_networks
from rop.errors import RopError

from .circuit import circuit_for
from .models import Partner

logger = logging.getLogger(__name__)

# A partner whose token cannot be decrypted is logged once a day, not at every poll.
UNREADABLE_LOG_SECONDS = 24 * 3600


class GatewayTokenUnreadable(RopError):
    """The partner's stored gateway token cannot be decrypted: no request is sent."""

    default_symbol = "gateway_token_unreadable"


class _Refuse:
    """The limiter of a partner whose token cannot be decrypted: every call fails before
    anything is sent, as a RopError, so each caller handles it like any failed ROP call
    (a message on the page, a recorded poll failure) and only this partner is affected."""

    def __init__(self, partner: Partner) -> None:
        self.partner = partner

    def acquire(self, timeout: float | None = None) -> None:
        warn_token_unreadable(self.partner)
        raise GatewayTokenUnreadable(f"the gateway token of {self.partner.slug} cannot be decrypted")


def warn_token_unreadable(partner: Partner) -> None:
    if cache.add(f"partners:token-unreadable:{partner.id}", 1, timeout=UNREADABLE_LOG_SECONDS):
        logger.error(
            "the gateway token of partner %s cannot be decrypted with FIELD_ENCRYPTION_KEY: "
            "nothing is sent to its Core Server until an admin re-enters the token in its settings",
            partner.slug,
        )


def rop_client_for(
    partner: Partner, *, max_wait: float = 30.0, retry: RetryPolicy | None = None, deadline: float | None = None
) -> RopClient:
    """`retry`: background work (polling) passes a shorter policy so that one
    unresponsive device cannot hold a worker for minutes. `deadline`: seconds a whole
    call may take (views pass ROP_INTERACTIVE_DEADLINE_SECONDS). Every client shares
    the partner's circuit breaker, so a dead Core Server fails fast everywhere."""
    token = partner.gateway_token or None
    budget = RequestBudget(f"partner:{partner.id}", partner.request_budget, max_wait=max_wait)
    return RopClient(
        base_url=partner.rop_base_url,
        token=token,
        timeout=settings.ROP_TIMEOUT_SECONDS,
        auth_header=partner.gateway_auth_header or "Authorization",
        retry=retry,
        limiter=_Refuse(partner) if partner.gateway_token_unreadable else budget,
        address_policy=core_server_policy(),
        deadline=deadline,
        breaker=circuit_for(partner),
    )


def core_server_policy() -> AddressPolicy:
    """Where a Core Server may be: public addresses, plus loopback or private networks
    when the installation's operator allows them (ROP_ALLOW_*_ADDRESSES)."""
    return AddressPolicy.for_core_server(
        allow_loopback=settings.ROP_ALLOW_LOOPBACK_ADDRESSES,
        allow_private=settings.ROP_ALLOW_PRIVATE_ADDRESSES,
    )


def lan_policy() -> AddressPolicy:
    """Where a camera's LAN API may be: the installation's LAN_ALLOWED_NETWORKS (private
    networks by default), loopback when the operator allows it (the demo's simulated LAN
    cameras). Every connection made with it is checked, after DNS."""
    return AddressPolicy.for_lan(
        allow_loopback=settings.ROP_ALLOW_LOOPBACK_ADDRESSES,
        networks=_lan_networks(tuple(settings.LAN_ALLOWED_NETWORKS)),
    )


@functools.lru_cache(maxsize=8)
def _lan_networks(specs: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(specs)


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
