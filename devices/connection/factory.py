"""The clients of the device-connection layer: a partner's RopClient (built by the
partner-level factory, partners.rop_clients, with this layer's retry policies) and a
LAN device's LanClient (its address checked by lan_policy, its certificate pinned).

Nothing else in devices/ builds a client: services take a driver (devices.drivers)
or, for partner-wide calls (sync, onboarding), a RopClient from here."""

from contextlib import AbstractContextManager

from partners.models import Partner
from partners.rop_clients import lan_policy, rop_client_for, using_client
from rop import RopClient

from ..models import Device
from .lan_guard import GuardedLanClient
from .policies import BULK, INTERACTIVE, lan_timeout, rop_options


def rop_client(partner: Partner, *, interactive: bool = False, kind: str = BULK) -> RopClient:
    """`kind`: policies.INTERACTIVE, POLL or BULK (`interactive=True` is INTERACTIVE)."""
    return rop_client_for(partner, **rop_options(INTERACTIVE if interactive else kind))


def using_rop(
    partner: Partner, client: RopClient | None = None, *, interactive: bool = False, kind: str = BULK
) -> AbstractContextManager[RopClient]:
    """The caller's client as it is, or a new one that is closed afterwards: services
    take an optional client so that a bulk chunk or a view shares one pool."""
    return using_client(partner, client, **rop_options(INTERACTIVE if interactive else kind))


def lan_client(device: Device, *, interactive: bool = False, pinned_sha256: str | None = None) -> GuardedLanClient:
    """A LanClient for `device`, pinned to its stored certificate (HTTPS). `pinned_sha256`
    overrides the stored pin: adding a device passes none (trust on first use) and
    "trust the new certificate" passes the fingerprint the operator confirmed."""
    pin = pinned_sha256 if pinned_sha256 is not None else device.lan_cert_sha256
    return GuardedLanClient(
        device.lan_host,
        device.lan_port or (443 if device.lan_use_https else 80),
        "https" if device.lan_use_https else "http",
        device.lan_username,
        device.lan_password,
        timeout=lan_timeout(device.lan_timeout_ms, interactive=interactive),
        address_policy=lan_policy(),
        pinned_sha256=pin or None,
        partner_id=device.partner_id,
    )
