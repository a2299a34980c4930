"""Live reads from a device through ROP for the device page (snapshot, WiFi).

Reads change nothing, so they are not audited; they answer the same Outcome as
devices.actions so the page shows their errors the same way.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from partners.models import Partner
from partners.rop_clients import rop_client_for, using_client
from rop import RetryPolicy, RopClient, validation
from rop import errors as rop_errors

from .models import Device, ItemResult
from .outcome import Outcome
from .rop_messages import ROP_FAILURES, describe

# A person is waiting on the page: give up on an exhausted budget, a rate limit or a
# failing server within seconds (and say so) rather than retrying for a minute.
INTERACTIVE_MAX_WAIT = 5.0
INTERACTIVE_RETRY = RetryPolicy(max_retries=1, backoff_base=0.3, backoff_max=1.0, max_retry_after=2.0)
# Short enough to look live, long enough that a page and its <img> share one ROP call
# and that several people looking at one camera do not each wake it.
SNAPSHOT_CACHE_SECONDS = 10


def interactive_options() -> dict[str, Any]:
    """The policy of calls a person waits on; the deadline bounds each whole call."""
    return {
        "max_wait": INTERACTIVE_MAX_WAIT,
        "retry": INTERACTIVE_RETRY,
        "deadline": settings.ROP_INTERACTIVE_DEADLINE_SECONDS,
    }


def interactive_client(partner: Partner) -> RopClient:
    return rop_client_for(partner, **interactive_options())


@dataclass(frozen=True)
class Snapshot:
    jpeg: bytes
    taken_at: dt.datetime

    @property
    def version(self) -> str:
        # Changes with each new picture, so the browser never shows a stale one.
        return str(int(self.taken_at.timestamp() * 1000))


def snapshot_key(device: Device, channel: int, stream_type: str) -> str:
    return f"device-snapshot:{device.partner_id}:{device.uid}:{channel}:{stream_type}"


def cached_snapshot(device: Device, channel: int, stream_type: str) -> Snapshot | None:
    shot: Snapshot | None = cache.get(snapshot_key(device, channel, stream_type))
    return shot


def _call(fn: Callable[[RopClient], Any], client: RopClient | None, device: Device) -> Outcome:
    try:
        with using_client(device.partner, client, **interactive_options()) as rop:
            return Outcome(ItemResult.OK, "", fn(rop))
    except ROP_FAILURES as exc:
        return describe(exc).outcome()


def snapshot(
    device: Device, channel: int, stream_type: str, *, refresh: bool = False, client: RopClient | None = None
) -> Outcome:
    """Outcome.value: a Snapshot, from the cache unless refresh or expired."""
    key = snapshot_key(device, channel, stream_type)
    if not refresh and (hit := cache.get(key)) is not None:
        return Outcome(ItemResult.OK, "", hit)
    max_bytes = settings.SNAPSHOT_MAX_BYTES
    outcome = _call(lambda c: c.get_snapshot(device.uid, channel, stream_type, max_bytes=max_bytes), client, device)
    if not outcome.ok:
        return outcome
    if not is_jpeg(outcome.value):
        return Outcome(ItemResult.ERROR, NOT_A_JPEG)
    shot = Snapshot(outcome.value, timezone.now())
    cache.set(key, shot, SNAPSHOT_CACHE_SECONDS)
    return Outcome(ItemResult.OK, "", shot)


NOT_A_JPEG = "The camera's snapshot was refused: it is not a valid JPEG image."


def is_jpeg(data: bytes) -> bool:
    """Whether Pillow reads `data` as a JPEG (its headers only: cheap, nothing is
    decoded). rop already checked the size and the leading marker; the browser is only
    ever handed what passes both."""
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            image.verify()
    # Any failure to read bytes that came from outside means "not a JPEG" (Pillow raises
    # OSError, SyntaxError, ValueError, DecompressionBombError... depending on the damage).
    except Exception:
        return False
    return True


def wifi_config(device: Device, client: RopClient | None = None) -> Outcome:
    """Outcome.value: a rop.WifiConfig."""
    return _call(lambda c: c.get_wifi_config(device.uid), client, device)


def wifi_scan(device: Device, session_id: str, client: RopClient | None = None) -> Outcome:
    """Outcome.value: a rop.WifiScan (status and networks, strongest first)."""
    try:
        validation.validate_session_id(session_id)
    except rop_errors.InvalidParameter:
        return Outcome(ItemResult.ERROR, "That scan is not known. Start a new scan.")
    outcome = _call(lambda c: c.get_wifi_scan(device.uid, session_id), client, device)
    if outcome.ok:
        scan = outcome.value
        networks = sorted(scan.networks, key=lambda n: n.signal, reverse=True)
        return Outcome(ItemResult.OK, "", type(scan)(status=scan.status, networks=networks))
    return outcome
