"""Recording calendar, day lists (cursor pages of 40) and playback sessions."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import zlib
from collections.abc import Mapping

from aiohttp import web

from ropsim import recordings as rec
from ropsim import validation as v
from ropsim.context import json, sim_of
from ropsim.errors import RopError

routes = web.RouteTableDef()

PAGE_SIZE = 40
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
TIME_RE = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def sim_now(request: web.Request) -> dt.datetime:
    # Device local time is taken to be UTC in the simulator.
    return dt.datetime.fromtimestamp(sim_of(request).now(), dt.UTC).replace(tzinfo=None)


# The real server answers the calendar with and without the trailing slash.
@routes.get("/v1.0/devices/{uid}/records/calendar")
@routes.get("/v1.0/devices/{uid}/records/calendar/")
async def calendar(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    q = request.query
    channel = v.query_int(q, "channel", 0, v.MAX_CHANNEL)
    year = v.query_int(q, "year", 2000, 3000)
    month = v.query_int(q, "month", 1, 12)
    await sim.device_call(uid, channel=channel, needs_sd=True)
    days = rec.days_with_recordings(sim.config.seed, uid, channel, year, month, sim_now(request), sim.fleet.footage)
    return json({"totalRows": len(days), "items": [{"channel": channel, "date": d} for d in days]})


def _parse_dt(text: str, name: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise RopError("invalid_parameter", f"Invalid parameter {name}") from None


def _query_window(q: Mapping[str, str]) -> tuple[dt.datetime, dt.datetime]:
    """record_date with start_at and end_at (HH:MM:SS), the only form the real server takes:
    the document's other example (start_time/end_time datetimes, no record_date) is invalid."""
    day = v.query_str(q, "record_date", DATE_RE)
    start_at = v.query_str(q, "start_at", TIME_RE)
    end_at = v.query_str(q, "end_at", TIME_RE)
    _parse_dt(f"{day} 00:00:00", "record_date")
    start = _parse_dt(f"{day} {start_at}", "start_at")
    end = _parse_dt(f"{day} {end_at}", "end_at")
    if not start < end:
        raise RopError("invalid_parameter", "Start must be before end")
    return start, end


def _checksum(query_key: str) -> str:
    return f"{zlib.crc32(query_key.encode()):08x}"


def _token(offset: int, query_key: str) -> str:
    raw = f"{offset}.{_checksum(query_key)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset_from_token(token: str, query_key: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset_s, crc = raw.split(".", 1)
        offset = int(offset_s)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise RopError("invalid_parameter", "Invalid parameter next_token") from None
    # A token only continues the query it came from.
    if crc != _checksum(query_key) or offset < 0:
        raise RopError("invalid_parameter", "Invalid parameter next_token")
    return offset


@routes.get("/v1.0/devices/{uid}/records")
async def list_records(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    q = request.query
    channel = v.query_int(q, "channel", 0, v.MAX_CHANNEL)
    stream_type = v.query_choice(q, "stream_type", v.RECORDING_STREAM_TYPES)
    start, end = _query_window(q)
    token = v.optional_query_str(q, "next_token", TOKEN_RE)
    key = f"{uid}|{channel}|{stream_type}|{start}|{end}"
    offset = _offset_from_token(token, key) if token else 0
    await sim.device_call(uid, channel=channel, needs_sd=True)
    clips = rec.recordings_between(
        sim.config.seed, uid, channel, stream_type, start, end, sim_now(request), sim.fleet.footage
    )
    page = clips[offset : offset + PAGE_SIZE]
    body: dict[str, object] = {}
    if offset + PAGE_SIZE < len(clips):
        body["nextToken"] = _token(offset + PAGE_SIZE, key)
    body["totalRows"] = len(clips)
    body["items"] = [c.as_item() for c in page]
    return json(body)


# The table's path only: the example's (without /records) answers 404 on the real server.
@routes.post("/v1.0/devices/{uid}/records/play-session")
async def playback_session(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    body = await v.json_body(request)
    channel = v.channel_field(body)
    file_name = v.body_str(body, "fileName", 1, 255)
    dev = await sim.device_call(uid, channel=channel, needs_sd=True)
    clip = rec.find_recording(sim.config.seed, uid, channel, file_name, sim_now(request), sim.fleet.footage)
    if clip is None:
        raise RopError("file_not_found")
    session = sim.create_play_session(dev, channel, "playback", clip.stream_type, file_name)
    return json({"playURL": session.url, "expiredIn": int(session.expires_at - session.created_at)})
