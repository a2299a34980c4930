"""Device list, initialization session, settings, battery and PTZ routes."""

from __future__ import annotations

from aiohttp import web

from ropsim import validation as v
from ropsim.context import json, ok, sim_of
from ropsim.fleet import FOCUS_MAX, ZOOM_MAX

routes = web.RouteTableDef()

UID = "/v1.0/devices/{uid}"
# Ports the devices use to fetch the CA, their certificate and to register (facts: 61000-61002).
GET_CA_PORT, GET_CERT_PORT, REGISTER_PORT = 61000, 61001, 61002

# The lower-camel spellings of the document's tables, and only those (the real server refuses
# "Inc", "None", "rightUP").
PTZ_ACTIONS = ("inc", "dec")
ROTATE_DIRECTIONS = ("none", "left", "right", "up", "down", "leftUp", "leftDown", "rightUp", "rightDown")


@routes.get("/v1.0/devices")
async def list_devices(request: web.Request) -> web.Response:
    body = sim_of(request).online_list_json()
    return web.Response(body=body, content_type="application/json", charset="utf-8")


@routes.post("/v1.0/devices/initialization-session")
async def create_init_session(request: web.Request) -> web.Response:
    sim = sim_of(request)
    body = await v.json_body(request)
    uid = v.body_str(body, "uid", 16, 16, v.UID_RE)
    session = sim.create_init_session(uid)
    return json(
        {
            "uid": uid,
            "caHash": sim.ca_hash,
            "code": session.code,
            "host": sim.config.public(),
            "getCAPort": GET_CA_PORT,
            "getCertPort": GET_CERT_PORT,
            "registerPort": REGISTER_PORT,
            "time": int(session.created_at * 1000),
        }
    )


@routes.get(UID + "/settings/general-config")
async def get_general_config(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    dev = await sim_of(request).device_call(uid)
    return json({"deviceName": dev.name})


@routes.put(UID + "/settings/general-config")
async def set_general_config(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    body = await v.json_body(request)
    name = v.body_str(body, "deviceName", 1, 31, v.DEVICE_NAME_RE)
    dev = await sim_of(request).device_call(uid)
    dev.name = name
    return ok()


@routes.get(UID + "/settings/pir-config")
async def get_pir_config(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    dev = await sim_of(request).device_call(uid, capability="pir")
    pir = dev.pir
    return json({"enabled": pir.enabled, "sensitivity": pir.sensitivity, "reduceMistakes": pir.reduce_mistakes})


@routes.put(UID + "/settings/pir-config")
async def set_pir_config(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    body = await v.json_body(request)
    enabled = v.body_bool(body, "enabled")
    sensitivity = v.body_int(body, "sensitivity", 0, 100)
    reduce = v.body_bool(body, "reduceMistakes")
    dev = await sim_of(request).device_call(uid, capability="pir")
    dev.pir.enabled, dev.pir.sensitivity, dev.pir.reduce_mistakes = enabled, sensitivity, reduce
    return ok()


@routes.get(UID + "/settings/alarm")
async def get_alarm(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    dev = await sim_of(request).device_call(uid)
    return json({"enabled": dev.alarm_enabled})  # boolean, as the table says (example shows "true")


@routes.put(UID + "/settings/alarm")
async def set_alarm(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    body = await v.json_body(request)
    # A JSON boolean only: the real server refuses the GET example's string "true".
    enabled = v.body_bool(body, "enabled")
    dev = await sim_of(request).device_call(uid)
    dev.alarm_enabled = enabled
    return ok()


@routes.get(UID + "/states/battery")
async def get_battery(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    dev = await sim_of(request).device_call(uid, capability="battery")
    return json({"percent": round(dev.battery_percent or 0.0), "chargeStatus": dev.charge_status or "none"})


async def _ptz_step(request: web.Request, capability: str) -> web.Response:
    uid = v.uid_param(request)
    body = await v.json_body(request)
    channel = v.channel_field(body)
    action = v.body_choice(body, "action", PTZ_ACTIONS)
    dev = await sim_of(request).device_call(uid, capability=capability, channel=channel)
    step = 1 if action == "inc" else -1
    if capability == "zoom":
        dev.ptz.zoom = max(0, min(ZOOM_MAX, dev.ptz.zoom + step))
    else:
        dev.ptz.focus = max(0, min(FOCUS_MAX, dev.ptz.focus + step * 8))
    return ok()


@routes.patch(UID + "/ptz/zoom")
async def ptz_zoom(request: web.Request) -> web.Response:
    return await _ptz_step(request, "zoom")


@routes.patch(UID + "/ptz/focus")
async def ptz_focus(request: web.Request) -> web.Response:
    return await _ptz_step(request, "focus")


# POST only, as the table says (the example's PATCH answers 404 on the real server).
@routes.post(UID + "/ptz/rotate")
async def ptz_rotate(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    body = await v.json_body(request)
    channel = v.channel_field(body)
    direction = v.body_choice(body, "direction", ROTATE_DIRECTIONS)
    speed = v.body_int(body, "speed", 1, 64)
    dev = await sim_of(request).device_call(uid, capability="ptz_rotate", channel=channel)
    dev.ptz.direction, dev.ptz.speed = direction, (0 if direction == "none" else speed)
    return ok()
