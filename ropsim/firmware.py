"""Firmware upload (streamed to disk) and upgrade session routes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re

from aiohttp import web

from ropsim import validation as v
from ropsim.context import json, ok, sim_of
from ropsim.errors import RopError
from ropsim.firmware_store import FirmwareFile

routes = web.RouteTableDef()

# A form upload starts with "--boundary\r\n" followed by part headers.
_MULTIPART_START = re.compile(rb"^--[^\r\n]{1,200}\r\nContent-(Disposition|Type):", re.IGNORECASE)
CHUNK = 256 * 1024


@routes.post("/v1.0/firmware/{fileName}")
async def upload_firmware(request: web.Request) -> web.Response:
    sim = sim_of(request)
    store = sim.firmware
    name = request.match_info["fileName"]
    if not store.valid_name(name):
        raise RopError("invalid_filename", "File name must end in .pak or .paks")
    # The spec warns HTML form uploads corrupt the image; refuse them instead of storing garbage.
    content_type = request.headers.get("Content-Type", "").lower()
    if content_type.startswith("multipart/"):
        raise RopError("invalid_parameter", "Send the raw firmware file as the body not a multipart form")
    if name in store.files or name in store.reserved:
        raise RopError("duplicate_firmware")
    limit = int(sim.config.max_firmware_mb * 1024 * 1024)
    store.reserved.add(name)
    partial = store.partial_path(name)
    digest, size, first = hashlib.sha256(), 0, True
    try:
        with open(partial, "wb") as fh:
            # Streamed chunk by chunk: the image is never held in memory whole.
            async for chunk in request.content.iter_chunked(CHUNK):
                if first:
                    first = False
                    if _MULTIPART_START.match(chunk):
                        await _drain(request)  # let the client finish sending before we answer
                        raise RopError(
                            "invalid_parameter", "Send the raw firmware file as the body not a multipart form"
                        )
                size += len(chunk)
                if size > limit:
                    raise RopError("invalid_parameter", "Firmware file too large")
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise RopError("invalid_parameter", "Firmware file is empty")
        os.replace(partial, store.path(name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise
    finally:
        store.reserved.discard(name)
    store.files[name] = FirmwareFile(name, size, digest.hexdigest(), sim.now())
    return ok()


async def _drain(request: web.Request) -> None:
    async for _ in request.content.iter_chunked(CHUNK):
        pass


@routes.post("/v1.0/devices/{uid}/upgrade-session")
async def create_upgrade_session(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    body = await v.json_body(request)
    upgrade_file = v.body_str(body, "upgradeFile", 0, 255)
    factory_reset = v.body_bool(body, "factoryReset")  # "Required" in the table: missing is invalid
    # The name is judged before the store is looked at, the store before the device.
    if not sim.firmware.valid_name(upgrade_file):
        raise RopError("invalid_filename", "File name must end in .pak or .paks")
    if upgrade_file not in sim.firmware.files:
        raise RopError("file_not_found")  # checked before the device, like the Core Server
    dev = await sim.device_call(uid)
    session = sim.create_upgrade_session(dev, upgrade_file, factory_reset)
    return json({"sessionId": session.session_id, "expiredIn": int(session.expires_at - session.created_at)})


@routes.get("/v1.0/devices/{uid}/upgrade-session/{sessionId}")
async def upgrade_status(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    session_id = v.upgrade_session_id_param(request)
    # Answered from the server's session table: the device may be rebooting (offline) meanwhile.
    session = sim.upgrade_session(uid, session_id)
    return json({"status": session.status})
