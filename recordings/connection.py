"""How recordings reaches a device: through the device-connection layer
(devices.connection), with one of two policies. A person waiting on the device page
gets the interactive one (seconds, then a message); a fleet search on a worker gets
SEARCH (a longer wait for the partner's budget, which the whole fleet shares, one retry,
and a deadline per device).

Recordings are searched through the Core Server only: a LAN device has none here."""

from contextlib import AbstractContextManager

from devices.connection import SEARCH, using_rop
from partners.models import Partner
from rop import RopClient


def interactive(partner: Partner, client: RopClient | None = None) -> AbstractContextManager[RopClient]:
    return using_rop(partner, client, interactive=True)


def for_search(partner: Partner, client: RopClient | None = None) -> AbstractContextManager[RopClient]:
    return using_rop(partner, client, kind=SEARCH)
