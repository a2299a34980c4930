"""Live view sessions and snapshots."""

from __future__ import annotations

from aiohttp import web

from ropsim import snapshots
from ropsim import validation as v
from ropsim.context import json, sim_of
from ropsim.errors import RopError

routes = web.RouteTableDef()


@routes.post("/v1.0/devices/{uid}/live/play-session")
async def live_session(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    body = await v.json_body(request)
    channel = v.channel_field(body)
    stream_type = v.body_choice(body, "streamType", v.STREAM_TYPES)
    dev = await sim.device_call(uid, channel=channel)
    session = sim.create_play_session(dev, channel, "live", stream_type, None)
    return json({"playURL": session.url, "expiredIn": int(session.expires_at - session.created_at)})


@routes.get("/v1.0/devices/{uid}/snap/snapshot.jpg")
async def snapshot(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    channel = v.query_int(request.query, "channel", 0, v.MAX_CHANNEL)
    stream_type = v.query_choice(request.query, "stream_type", v.STREAM_TYPES)
    key = (uid, channel)
    # The Core Server refuses a second snapshot of a channel while one is being taken.
    if key in sim.snaps_in_progress:
        raise RopError("duplicate_snap")
    sim.snaps_in_progress.add(key)
    try:
        dev = await sim.device_call(uid, channel=channel)
        size = snapshots.snapshot_size(dev.model.main_resolution, stream_type)
        data = await snapshots.render_snapshot_async(uid, dev.name, channel, stream_type, size, sim.now())
    finally:
        sim.snaps_in_progress.discard(key)
    return web.Response(body=data, content_type="image/jpeg")
