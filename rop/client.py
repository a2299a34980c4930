"""RopClient: one method per function of the ROP v1.0 interface document.

Each method validates its input first (rop.validation; nothing is sent when it is
invalid), sends what the endpoint's *table* defines, and accepts every form the
document's examples show in the answer (docs/rop-spec-notes.md).

Whether a failed call is repeated is decided per method (the ``idempotent`` flag
of each request; rop.transport explains the policy and docs/rop-client.md has the
table). In short: reads and value-setting PUTs are retried on 429, 5xx and network
failures; calls that create something or step a motor (upgrade/play/scan sessions,
firmware upload, initialization session, WiFi test, zoom/focus steps) are retried
only when the server refused them (429) or they never left the machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from . import validation as v
from .addresses import AddressPolicy
from .errors import InvalidParameter, InvalidSnapshot, ResponseTooLarge, UnexpectedResponse
from .models import (
    Battery,
    InitializationSession,
    OnlineDevice,
    PirConfig,
    Recording,
    StreamSession,
    UpgradeSession,
    UpgradeStatus,
    WifiConfig,
    WifiScan,
    WifiScanTask,
    read_bool,
    read_int,
    read_str,
    require,
)
from .transport import (
    MAX_ANSWER_BYTES,
    USER_AGENT,
    CircuitBreaker,
    Limiter,
    RetryPolicy,
    Timeout,
    Transport,
    UploadBody,
    read_limited,
)

__all__ = ["RopClient"]

#: Safety net against a server that keeps handing out next tokens.
MAX_PAGES = 10_000

#: Largest snapshot get_snapshot accepts by default (a 4K JPEG is well under 2 MB).
SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024
#: Every JPEG starts with SOI (FFD8) followed by a marker's FF.
JPEG_MAGIC = b"\xff\xd8\xff"


def _device(uid: str) -> str:
    return f"/v1.0/devices/{v.validate_uid(uid)}"


def _segment(value: str) -> str:
    return quote(value, safe="")


def _wifi_body(ssid: str, key: str, country_code: str) -> dict[str, str]:
    """The body of set_wifi_config and test_wifi (the same three fields)."""
    return {
        "ssid": v.validate_ssid(ssid),
        "key": v.validate_wifi_key(key),
        "countryCode": v.validate_country_code(country_code),
    }


class _FirmwareSource:
    """Produces one UploadBody per attempt from a path or a binary file object.

    A path is reopened for each attempt; a file object is rewound to where it was
    when the upload started (one that cannot seek is refused up front: without a
    size there is no Content-Length).
    """

    def __init__(self, source: str | os.PathLike[str] | IO[bytes]) -> None:
        self._path: Path | None = None
        self._file: IO[bytes] | None = None
        self._owned: IO[bytes] | None = None
        self._start = 0
        self._last: UploadBody | None = None
        if isinstance(source, str | os.PathLike):
            self._path = Path(source)
            if not self._path.is_file():
                raise InvalidParameter(f"firmware file {str(self._path)!r} does not exist or is not a file")
            self.size = self._path.stat().st_size
        elif hasattr(source, "read"):
            if isinstance(source, io.TextIOBase):
                raise InvalidParameter("firmware source must be opened in binary mode ('rb')")
            self._file = source
            self.size = self._measure(source)
        else:
            raise InvalidParameter(
                f"firmware source must be a path or a binary file object, got {type(source).__name__}"
            )
        if self.size <= 0:
            raise InvalidParameter("firmware file is empty")

    def _measure(self, source: IO[bytes]) -> int:
        try:
            self._start = source.tell()
            end = source.seek(0, os.SEEK_END)
            source.seek(self._start)
        except (OSError, AttributeError, ValueError):
            # Not seekable (a pipe, a socket...): without a size there is no
            # Content-Length, and the Core Server needs the raw file, not chunks.
            raise InvalidParameter(
                "cannot tell the size of the firmware source; pass a path or a seekable binary file"
            ) from None
        return end - self._start

    def next_body(self) -> UploadBody:
        if self._path is not None:
            if self._owned is not None:
                self._owned.close()
            self._owned = self._path.open("rb")
            self._last = UploadBody(self._owned, self.size)
            return self._last
        assert self._file is not None
        if self._last is not None and self._last.bytes_read > 0:
            self._file.seek(self._start)
        self._last = UploadBody(self._file, self.size)
        return self._last

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None


class RopClient:
    """Client of one partner's ROP Core Server.

    ``base_url``: the server (or the partner's gateway in front of it), e.g.
    "https://rop.example.com" or "http://10.0.0.5:61009".
    ``token``: optional credential for that gateway (the Core Server itself has no
    authentication). Sent as ``Authorization: Bearer <token>`` by default; with
    ``auth_header="X-Api-Key"`` as ``X-Api-Key: <token>``; ``auth_scheme`` sets or
    (with "") drops the prefix.
    ``timeout``: seconds per connect/read (or a ``(connect, read)`` pair), applied to
    every request.
    ``pool_maxsize``: connections kept per host; size it to the number of threads
    sharing the client (the client is safe to share between threads).
    ``retry``: a RetryPolicy (count, backoff base/max, longest Retry-After waited).
    ``limiter``: object whose ``acquire()`` is called before every HTTP request,
    retries included (a fleet-wide request budget).
    ``address_policy``: a :class:`rop.addresses.AddressPolicy` checked on every new
    connection (refusals raise :class:`rop.errors.AddressRefused`); None connects
    wherever the URL points.
    ``deadline``: seconds a whole call may take, retries and limiter waits included
    (``None``: only the per-read timeout and the retry policy bound it).
    ``breaker``: a circuit breaker shared by every client of the same server.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: Timeout = 10.0,
        *,
        auth_header: str = "Authorization",
        auth_scheme: str | None = None,
        pool_maxsize: int = 16,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        backoff_base: float | None = None,
        limiter: Limiter | None = None,
        user_agent: str = USER_AGENT,
        address_policy: AddressPolicy | None = None,
        deadline: float | None = None,
        breaker: CircuitBreaker | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        retry = retry or RetryPolicy()
        if max_retries is not None:
            retry = dataclasses.replace(retry, max_retries=max_retries)
        if backoff_base is not None:
            retry = dataclasses.replace(retry, backoff_base=backoff_base)
        self._transport = Transport(
            base_url,
            token=token,
            auth_header=auth_header,
            auth_scheme=auth_scheme,
            timeout=timeout,
            pool_maxsize=pool_maxsize,
            retry=retry,
            limiter=limiter,
            user_agent=user_agent,
            address_policy=address_policy,
            deadline=deadline,
            breaker=breaker,
            max_answer_bytes=max_answer_bytes,
        )

    # --- plumbing ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def transport(self) -> Transport:
        return self._transport

    def close(self) -> None:
        """Close the pooled connections."""
        self._transport.close()

    def __enter__(self) -> RopClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RopClient(base_url={self.base_url!r})"

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._transport.request_json("GET", path, params=params, idempotent=True)

    # --- device initialization ------------------------------------------------------------

    def create_initialization_session(self, uid: str) -> InitializationSession:
        """POST /v1.0/devices/initialization-session.

        Not repeated after a 5xx or a lost answer: each call mints a new
        authorization code (and the Core Server may be creating the device's
        certificate, cf. duplicate_create_ca). Repeated on 429 / unsent requests.
        """
        body = {"uid": v.validate_uid(uid)}
        data = self._transport.request_json("POST", "/v1.0/devices/initialization-session", json=body, idempotent=False)
        return InitializationSession.from_json(data)

    # --- firmware ---------------------------------------------------------------------------

    def upload_firmware(
        self,
        file_name: str,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        timeout: Timeout | None = None,
    ) -> None:
        """POST /v1.0/firmware/{fileName} with the raw file as the body.

        ``source`` is a path or a binary file object (read from its current
        position to its end). The body is streamed block by block with a
        Content-Length header, never a multipart form, never read whole.

        Not repeated after a 5xx or a lost answer (the file may be stored: a
        repeat would answer duplicate_firmware). Repeated on 429 / unsent requests
        when the source can be replayed (a path, or a seekable file).
        """
        name = v.validate_firmware_file_name(file_name)
        upload = _FirmwareSource(source)
        try:
            self._transport.request(
                "POST",
                f"/v1.0/firmware/{_segment(name)}",
                body=upload.next_body,
                headers={"Content-Type": "application/octet-stream"},
                idempotent=False,
                timeout=timeout,
            )
        finally:
            upload.close()

    def create_upgrade_session(self, uid: str, upgrade_file: str, factory_reset: bool = False) -> UpgradeSession:
        """POST /v1.0/devices/{uid}/upgrade-session.

        Not repeated after a 5xx or a lost answer: the upgrade may have started; a
        repeat would answer duplicate_upgrade (errors.DuplicateUpgrade), which the
        caller can treat as "already upgrading". Repeated on 429 / unsent requests.
        """
        path = f"{_device(uid)}/upgrade-session"
        body = {
            "upgradeFile": v.validate_firmware_file_name(upgrade_file),
            # Always sent: the Core Server rejects a body without it.
            "factoryReset": v.validate_bool(factory_reset, "factory_reset"),
        }
        data = self._transport.request_json("POST", path, json=body, idempotent=False)
        return UpgradeSession.from_json(data)

    def get_upgrade_status(self, uid: str, session_id: str) -> UpgradeStatus:
        """GET /v1.0/devices/{uid}/upgrade-session/{session-id}. Retried (a read).

        "success" (the example) and "upgrade_success" (the table) are both
        UpgradeStatus.SUCCESS; the Core Server's extra "failed" and "focus_error"
        are UpgradeStatus.FAILED / FOCUS_ERROR (final, not successful).
        """
        path = f"{_device(uid)}/upgrade-session/{_segment(v.validate_session_id(session_id))}"
        return UpgradeStatus.parse(require(self._get(path), "status"))

    # --- devices ----------------------------------------------------------------------------

    def list_online_devices(self) -> list[OnlineDevice]:
        """GET /v1.0/devices. Retried (a read). Follows nextToken should a server
        paginate this list (the document does not, but it costs nothing)."""
        return [OnlineDevice.from_json(item) for item in self._paginate("/v1.0/devices", {})]

    def get_device_name(self, uid: str) -> str:
        """GET /v1.0/devices/{uid}/settings/general-config. Retried (a read)."""
        data = self._get(f"{_device(uid)}/settings/general-config")
        return read_str(require(data, "deviceName"), "deviceName")

    def set_device_name(self, uid: str, name: str) -> None:
        """PUT /v1.0/devices/{uid}/settings/general-config. Retried (setting a value
        twice has the effect of setting it once)."""
        path = f"{_device(uid)}/settings/general-config"
        body = {"deviceName": v.validate_device_name(name)}
        self._transport.request("PUT", path, json=body, idempotent=True)

    def get_alarm_enabled(self, uid: str) -> bool:
        """GET /v1.0/devices/{uid}/settings/alarm. Retried (a read). Accepts the
        table's boolean and the example's "true"/"false" strings."""
        data = self._get(f"{_device(uid)}/settings/alarm")
        return read_bool(require(data, "enabled"), "enabled")

    def set_alarm_enabled(self, uid: str, enabled: bool) -> None:
        """PUT /v1.0/devices/{uid}/settings/alarm with a JSON boolean. Retried."""
        path = f"{_device(uid)}/settings/alarm"
        body = {"enabled": v.validate_bool(enabled, "enabled")}
        self._transport.request("PUT", path, json=body, idempotent=True)

    def get_pir_config(self, uid: str) -> PirConfig:
        """GET /v1.0/devices/{uid}/settings/pir-config. Retried (a read)."""
        return PirConfig.from_json(self._get(f"{_device(uid)}/settings/pir-config"))

    def set_pir_config(self, uid: str, config: PirConfig) -> None:
        """PUT /v1.0/devices/{uid}/settings/pir-config. Retried."""
        path = f"{_device(uid)}/settings/pir-config"
        body = v.validate_pir_config(config).to_json()
        self._transport.request("PUT", path, json=body, idempotent=True)

    # --- recordings ---------------------------------------------------------------------

    def get_recording_days(self, uid: str, channel: int, year: int, month: int) -> list[int]:
        """GET /v1.0/devices/{uid}/records/calendar/ — the days (1-31) of that month
        with recordings on that channel, sorted. Retried (a read)."""
        path = f"{_device(uid)}/records/calendar/"
        channel = v.validate_channel(channel)
        params = {"channel": channel, "year": v.validate_year(year), "month": v.validate_month(month)}
        days: set[int] = set()
        for item in self._paginate(path, params):
            if "channel" in item and read_int(item["channel"], "channel") != channel:
                continue
            day = read_int(item.get("date"), "date")
            if not 1 <= day <= 31:
                raise UnexpectedResponse(f"calendar day out of range: {day}", http_status=200)
            days.add(day)
        return sorted(days)

    def iter_recordings(
        self,
        uid: str,
        channel: int,
        stream_type: str,
        date: dt.date,
        start: str | dt.time = "00:00:00",
        end: str | dt.time = "23:59:59",
    ) -> Iterator[Recording]:
        """GET /v1.0/devices/{uid}/records, following nextToken through every page.

        Input is validated now (before the first request), pages are fetched lazily
        as the iterator is consumed. Each page is a read and is retried on its own.
        """
        path = f"{_device(uid)}/records"
        start_at, end_at = v.validate_time_range(start, end)
        params = {
            "channel": v.validate_channel(channel),
            "stream_type": v.validate_stream_type(stream_type, v.RECORDING_STREAM_TYPES),
            "record_date": v.validate_date(date).isoformat(),
            "start_at": start_at,
            "end_at": end_at,
        }
        return (Recording.from_json(item) for item in self._paginate(path, params))

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = dict(params)
            if token:
                query["next_token"] = token
            data = self._get(path, query)
            items = data.get("items", [])
            if items is None:
                items = []
            if not isinstance(items, list):
                raise UnexpectedResponse(f"{path}: 'items' is not a list", http_status=200)
            for item in items:
                if not isinstance(item, dict):
                    raise UnexpectedResponse(f"{path}: an item is not an object", http_status=200)
                yield item
            token = data.get("nextToken") or data.get("next_token")
            if not token:
                return
            token = read_str(token, "nextToken")
            if token in seen:
                raise UnexpectedResponse(f"{path}: the server repeated a nextToken", http_status=200)
            seen.add(token)
        raise UnexpectedResponse(f"{path}: more than {MAX_PAGES} pages", http_status=200)

    # --- streams --------------------------------------------------------------------------

    def create_playback_session(self, uid: str, channel: int, file_name: str) -> StreamSession:
        """POST /v1.0/devices/{uid}/records/play-session (the entry's path; the example
        omits "records/"). Not repeated after a 5xx or lost answer (each call opens a
        session on the device); repeated on 429 / unsent requests. The play URL is
        never logged."""
        path = f"{_device(uid)}/records/play-session"
        body = {"channel": v.validate_channel(channel), "fileName": v.validate_recording_file_name(file_name)}
        return StreamSession.from_json(self._transport.request_json("POST", path, json=body, idempotent=False))

    def create_live_session(self, uid: str, channel: int, stream_type: str) -> StreamSession:
        """POST /v1.0/devices/{uid}/live/play-session. Same retry rule as playback."""
        path = f"{_device(uid)}/live/play-session"
        body = {
            "channel": v.validate_channel(channel),
            "streamType": v.validate_stream_type(stream_type, v.LIVE_STREAM_TYPES),
        }
        return StreamSession.from_json(self._transport.request_json("POST", path, json=body, idempotent=False))

    def get_snapshot(self, uid: str, channel: int, stream_type: str, *, max_bytes: int = SNAPSHOT_MAX_BYTES) -> bytes:
        """GET /v1.0/devices/{uid}/snap/snapshot.jpg — the JPEG bytes. Retried (a read;
        a device still busy with the first attempt answers duplicate_snap, raised).

        Whatever answers is only passed on as a JPEG (it starts with the JPEG marker)
        of at most ``max_bytes``, read in blocks and abandoned past that size;
        otherwise :class:`~rop.errors.InvalidSnapshot` (an UnexpectedResponse)."""
        path = f"{_device(uid)}/snap/snapshot.jpg"
        params = {
            "channel": v.validate_channel(channel),
            "stream_type": v.validate_stream_type(stream_type, v.SNAPSHOT_STREAM_TYPES),
        }
        response = self._transport.request(
            "GET", path, params=params, headers={"Accept": "image/jpeg"}, idempotent=True, stream=True
        )
        try:
            data = read_limited(response, max_bytes, "snapshot")
        except ResponseTooLarge:
            limit = f"{max_bytes / 1_000_000:g} MB" if max_bytes >= 100_000 else f"{max_bytes:,} bytes"
            raise InvalidSnapshot(f"the answer is larger than {limit}", http_status=response.status_code) from None
        if not data:
            raise UnexpectedResponse("snapshot answer is empty", http_status=response.status_code)
        if not data.startswith(JPEG_MAGIC):
            raise InvalidSnapshot("the answer is not a JPEG image", http_status=response.status_code)
        return data

    # --- battery --------------------------------------------------------------------------

    def get_battery(self, uid: str) -> Battery:
        """GET /v1.0/devices/{uid}/states/battery. Retried (a read)."""
        return Battery.from_json(self._get(f"{_device(uid)}/states/battery"))

    # --- PTZ ------------------------------------------------------------------------------

    def ptz_zoom(self, uid: str, action: str, channel: int = 0) -> None:
        """PATCH /v1.0/devices/{uid}/ptz/zoom, action "inc" | "dec".

        Not repeated after a 5xx or lost answer: each call is one zoom step, a
        repeat would zoom twice. Repeated on 429 / unsent requests.
        """
        self._ptz_step(uid, "zoom", action, channel)

    def ptz_focus(self, uid: str, action: str, channel: int = 0) -> None:
        """PATCH /v1.0/devices/{uid}/ptz/focus, action "inc" | "dec". Same retry rule
        as ptz_zoom (one focus step per call)."""
        self._ptz_step(uid, "focus", action, channel)

    def _ptz_step(self, uid: str, what: str, action: str, channel: int) -> None:
        path = f"{_device(uid)}/ptz/{what}"
        body = {"channel": v.validate_channel(channel), "action": v.validate_ptz_action(action)}
        self._transport.request("PATCH", path, json=body, idempotent=False)

    def ptz_rotate(self, uid: str, direction: str, speed: int, channel: int = 0) -> None:
        """POST /v1.0/devices/{uid}/ptz/rotate (the table's method; the example shows
        PATCH). direction: none (stop), left, right, up, down, leftUp, leftDown,
        rightUp, rightDown — any letter case; speed 1-64.

        Retried like an idempotent call: it sets the motion state (repeating "left
        at 10" or "none" leaves the camera in the same state), and a lost "stop"
        must not be given up lightly.
        """
        path = f"{_device(uid)}/ptz/rotate"
        body = {
            "channel": v.validate_channel(channel),
            "direction": v.validate_direction(direction),
            "speed": v.validate_speed(speed),
        }
        self._transport.request("POST", path, json=body, idempotent=True)

    # --- WiFi -----------------------------------------------------------------------------

    def get_wifi_config(self, uid: str) -> WifiConfig:
        """GET /v1.0/devices/{uid}/settings/wifi-config. Retried (a read)."""
        return WifiConfig.from_json(self._get(f"{_device(uid)}/settings/wifi-config"))

    def set_wifi_config(self, uid: str, ssid: str, key: str, country_code: str) -> None:
        """PUT /v1.0/devices/{uid}/settings/wifi-config (the entry; the example shows
        /wifi/test). The country code is sent upper case. Retried (a PUT of the same
        values); note a WiFi-only device drops off the network when it applies them,
        so a repeat may answer device_offline. The key is never logged."""
        path = f"{_device(uid)}/settings/wifi-config"
        body = _wifi_body(ssid, key, country_code)
        self._transport.request("PUT", path, json=body, idempotent=True)

    def start_wifi_scan(self, uid: str) -> WifiScanTask:
        """POST /v1.0/devices/{uid}/wifi/scan-task. Not repeated after a 5xx or lost
        answer (it starts a scan on the device); repeated on 429 / unsent requests."""
        data = self._transport.request_json("POST", f"{_device(uid)}/wifi/scan-task", idempotent=False)
        return WifiScanTask.from_json(data)

    def get_wifi_scan(self, uid: str, session_id: str) -> WifiScan:
        """GET /v1.0/devices/{uid}/wifi/scan/{session-id} (the entry; the example omits
        "scan/"). Retried (a read)."""
        path = f"{_device(uid)}/wifi/scan/{_segment(v.validate_session_id(session_id))}"
        return WifiScan.from_json(self._get(path))

    def test_wifi(self, uid: str, ssid: str, key: str, country_code: str) -> bool:
        """POST /v1.0/devices/{uid}/wifi/test — True when the device could join.

        Not repeated after a 5xx or lost answer (a WiFi-only device may have been
        disconnected by the test); repeated on 429 / unsent requests."""
        path = f"{_device(uid)}/wifi/test"
        body = _wifi_body(ssid, key, country_code)
        data = self._transport.request_json("POST", path, json=body, idempotent=False)
        status = data.get("status")
        if isinstance(status, str) and status.strip().lower() in ("success", "error"):
            return status.strip().lower() == "success"
        raise UnexpectedResponse(f"unknown WiFi test status: {status!r}", http_status=200)
