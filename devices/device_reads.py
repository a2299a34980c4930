"""Live reads from a device for the device page (snapshot, WiFi), through its driver
(devices.drivers), with the interactive policy: a person is waiting.

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

from rop import errors as rop_errors
from rop import validation

from .connection import FAILURES, describe
from .drivers import Driver, driver_for
from .models import Device, ItemResult
from .outcome import Outcome

# Short enough to look live, long enough that a page and its <img> share one call
# and that several people looking at one camera do not each wake it.
SNAPSHOT_CACHE_SECONDS = 10


def interactive_driver(device: Device) -> Driver:
    """The driver views open for a person waiting on the page (close it after use)."""
    return driver_for(device, interactive=True)


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


def _call(fn: Callable[[Driver], Any], driver: Driver | None, device: Device) -> Outcome:
    try:
        if driver is not None:
            return Outcome(ItemResult.OK, "", fn(driver))
        with interactive_driver(device) as own:
            return Outcome(ItemResult.OK, "", fn(own))
    except FAILURES as exc:
        return describe(exc).outcome()


def snapshot(
    device: Device, channel: int, stream_type: str, *, refresh: bool = False, driver: Driver | None = None
) -> Outcome:
    """Outcome.value: a Snapshot, from the cache unless refresh or expired."""
    key = snapshot_key(device, channel, stream_type)
    if not refresh and (hit := cache.get(key)) is not None:
        return Outcome(ItemResult.OK, "", hit)
    max_bytes = settings.SNAPSHOT_MAX_BYTES
    outcome = _call(lambda d: d.snapshot(channel, stream_type, max_bytes), driver, device)
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


def wifi_config(device: Device, driver: Driver | None = None) -> Outcome:
    """Outcome.value: a rop.WifiConfig."""
    return _call(lambda d: d.rop().get_wifi_config(device.uid), driver, device)


def wifi_scan(device: Device, session_id: str, driver: Driver | None = None) -> Outcome:
    """Outcome.value: a rop.WifiScan (status and networks, strongest first)."""
    try:
        validation.validate_session_id(session_id)
    except rop_errors.InvalidParameter:
        return Outcome(ItemResult.ERROR, "That scan is not known. Start a new scan.")
    outcome = _call(lambda d: d.rop().get_wifi_scan(device.uid, session_id), driver, device)
    if outcome.ok:
        scan = outcome.value
        networks = sorted(scan.networks, key=lambda n: n.signal, reverse=True)
        return Outcome(ItemResult.OK, "", type(scan)(status=scan.status, networks=networks))
    return outcome
