"""Control API under /_sim/: steer and inspect the simulation (no token, no rate limit).

JSON in, JSON out. Errors use the ROP envelope too (invalid_parameter, and
device_offline for an unknown UID) so one client helper handles both APIs.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ropsim import validation as v
from ropsim.alarms import AI_TYPES, ALARM_STATUSES
from ropsim.config import MUTABLE_FIELDS
from ropsim.context import json, ok, sim_of
from ropsim.errors import RopError
from ropsim.fleet import SimDevice
from ropsim.injection import parse_injection
from ropsim.models import CATALOGUE
from ropsim.sim import UPGRADE_OUTCOMES, Simulator
from ropsim.wifi import SCAN_OUTCOMES

routes = web.RouteTableDef()

CAPABILITIES = (
    "battery",
    "pir",
    "zoom",
    "focus",
    "ptz_rotate",
    "wifi",
    "wired",
    "sd_card",
    "ai",
    "spotlight",
    "siren",
)


def device_state(sim: Simulator, dev: SimDevice) -> dict[str, Any]:
    dev.refresh(sim.now())
    m = dev.model
    return {
        "uid": dev.uid,
        "model": m.name,
        "family": m.family,
        "channels": m.channels,
        "capabilities": {c: getattr(m, c) for c in CAPABILITIES},
        "firmwarePattern": m.firmware_pattern,
        "name": dev.name,
        "firmware": dev.firmware,
        "firmwareFile": dev.firmware_file,
        "online": dev.online,
        "offlineReasons": sorted(dev.offline_reasons),
        "sleeping": dev.sleeping,
        "batteryPercent": None if dev.battery_percent is None else round(dev.battery_percent, 2),
        "chargeStatus": dev.charge_status,
        "alarmEnabled": dev.alarm_enabled,
        "pir": {
            "enabled": dev.pir.enabled,
            "sensitivity": dev.pir.sensitivity,
            "reduceMistakes": dev.pir.reduce_mistakes,
        },
        "wifi": None
        if dev.wifi is None
        else {
            "ssid": dev.wifi.ssid,
            "key": dev.wifi.key,
            "channel": dev.wifi.channel,
            "countryCode": dev.wifi.country_code,
        },
        "sdCard": dev.has_recordings,
        "ptz": {"zoom": dev.ptz.zoom, "focus": dev.ptz.focus, "direction": dev.ptz.direction, "speed": dev.ptz.speed},
        "upgrade": None
        if dev.upgrade is None
        else {
            "sessionId": dev.upgrade.session_id,
            "file": dev.upgrade.file_name,
            "status": dev.upgrade.status,
            "startedAt": dev.upgrade.started_at,
        },
        "forcedUpgradeOutcome": dev.upgrade_outcome,
        "behaviour": {"latencyMs": dev.latency_ms, "wakeFailureRate": dev.wake_failure_rate},
    }


def _optional_number(body: dict[str, Any], name: str, hi: float | None = None) -> float | None:
    """A number >= 0 (and <= hi), or null for "the server-wide setting"."""
    value = body[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (hi is not None and value > hi):
        raise RopError("invalid_parameter", f"Invalid {name}")
    return float(value)


def parse_behaviour(body: dict[str, Any]) -> dict[str, float | None]:
    """latencyMs / wakeFailureRate of a control body (each optional) as SimDevice fields."""
    changes: dict[str, float | None] = {}
    if "latencyMs" in body:
        changes["latency_ms"] = _optional_number(body, "latencyMs", 600_000)
    if "wakeFailureRate" in body:
        changes["wake_failure_rate"] = _optional_number(body, "wakeFailureRate", 1.0)
    return changes


def apply_behaviour(dev: SimDevice, changes: dict[str, float | None]) -> None:
    for name, value in changes.items():
        setattr(dev, name, value)


def _device(sim: Simulator, request: web.Request) -> SimDevice:
    uid = request.match_info["uid"]
    dev = sim.fleet.devices.get(uid)
    if dev is None:
        raise RopError("device_offline", "No such device in the simulation")
    return dev


DeviceAction = Callable[[Simulator, SimDevice, web.Request], Awaitable[None]]


def device_route(method: str, path: str = "") -> Callable[[DeviceAction], DeviceAction]:
    """A route on /_sim/devices/{uid}<path>: ``action`` changes the device, the answer is its full state."""

    def register(action: DeviceAction) -> DeviceAction:
        @functools.wraps(action)
        async def handler(request: web.Request) -> web.Response:
            sim = sim_of(request)
            dev = _device(sim, request)
            await action(sim, dev, request)
            return json(device_state(sim, dev))

        routes.route(method, "/_sim/devices/{uid}" + path)(handler)
        return action

    return register


@routes.get("/_sim/health")
async def health(request: web.Request) -> web.Response:
    sim = sim_of(request)
    return json({"ok": True, "devices": len(sim.fleet.devices), "now": sim.now()})


@routes.get("/_sim/config")
async def get_config(request: web.Request) -> web.Response:
    return json(sim_of(request).config.as_dict())


@routes.get("/_sim/models")
async def list_models(request: web.Request) -> web.Response:
    return json(
        {
            "items": [
                {
                    "name": m.name,
                    "family": m.family,
                    "channels": m.channels,
                    "firmwarePattern": m.firmware_pattern,
                    "exampleFirmwareFile": m.firmware_filename(9999, "240101"),
                }
                for m in CATALOGUE.values()
            ]
        }
    )


@routes.get("/_sim/devices")
async def list_all_devices(request: web.Request) -> web.Response:
    sim = sim_of(request)
    items = [
        {
            "uid": d.uid,
            "model": d.model.name,
            "family": d.model.family,
            "name": d.name,
            "firmware": d.firmware,
            "online": d.online,
        }
        for d in sim.fleet.devices.values()
    ]
    return json({"totalRows": len(items), "items": items})


@routes.post("/_sim/devices")
async def add_device(request: web.Request) -> web.Response:
    sim = sim_of(request)
    body = await v.json_body(request, optional=True)
    model = body.get("model")
    if model is not None and model not in CATALOGUE:
        raise RopError("invalid_parameter", "Unknown model")
    uid = body.get("uid")
    if uid is not None and (not isinstance(uid, str) or not v.UID_RE.match(uid) or uid in sim.fleet.devices):
        raise RopError("invalid_parameter", "Invalid or duplicate uid")
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not v.DEVICE_NAME_RE.match(name)):
        raise RopError("invalid_parameter", "Invalid name")
    behaviour = parse_behaviour(body)
    dev = sim.fleet.create_device(model=model, uid=uid, name=name)
    apply_behaviour(dev, behaviour)
    if body.get("online") is False:
        sim.fleet.set_offline(dev.uid, "forced")
    if body.get("awake"):
        dev.wake(sim.now(), sim.config.stay_awake_seconds)
    if "sdCard" in body:
        dev.sd_card_inserted = bool(body["sdCard"])
    sim.start_flaky()
    return json(device_state(sim, dev), status=201)


@device_route("GET")
async def get_device(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    """Nothing to change: the answer is the device's full state."""


@routes.delete("/_sim/devices/{uid}")
async def remove_device(request: web.Request) -> web.Response:
    sim = sim_of(request)
    dev = _device(sim, request)
    sim.fleet.remove(dev.uid)
    return ok()


@device_route("POST", "/offline")
async def force_offline(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    body = await v.json_body(request, optional=True)
    sim.fleet.set_offline(dev.uid, "forced")
    seconds = body.get("seconds")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:

        def back() -> None:
            if dev.uid in sim.fleet.devices:  # it may have been removed meanwhile
                sim.fleet.set_online(dev.uid, "forced")

        sim.scheduler.after(float(seconds), back)


@device_route("POST", "/online")
async def force_online(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    sim.fleet.set_online(dev.uid)  # clears every reason, like a reset + re-onboarding


@device_route("POST", "/sleep")
async def put_to_sleep(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    if not dev.model.battery:
        raise RopError("cmd_not_support", "Only battery cameras sleep")
    dev.awake_until = sim.now()
    dev.sleeping = True


@device_route("POST", "/wake")
async def wake(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    dev.wake(sim.now(), sim.config.stay_awake_seconds)


@device_route("PUT", "/battery")
async def set_battery(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    if not dev.model.battery:
        raise RopError("cmd_not_support", "Not a battery device")
    body = await v.json_body(request)
    percent = v.body_int(body, "percent", 0, 100)
    status = None
    if "chargeStatus" in body:
        status = v.body_choice(body, "chargeStatus", ("none", "charging", "completed"))
    dev.set_battery(sim.now(), percent, status)


@device_route("PUT", "/behaviour")
async def set_behaviour(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    """{latencyMs?, wakeFailureRate?}: this device's latency and wake-up failure rate (null = server-wide)."""
    apply_behaviour(dev, parse_behaviour(await v.json_body(request)))


@device_route("PUT", "/sd-card")
async def set_sd_card(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    body = await v.json_body(request)
    dev.sd_card_inserted = v.body_bool(body, "inserted")


@device_route("PUT", "/upgrade-outcome")
async def set_upgrade_outcome(sim: Simulator, dev: SimDevice, request: web.Request) -> None:
    body = await v.json_body(request)
    outcome = body.get("outcome")
    if outcome is not None and outcome not in UPGRADE_OUTCOMES:
        raise RopError("invalid_parameter", "Unknown outcome")
    dev.upgrade_outcome = outcome


@routes.post("/_sim/devices/{uid}/alarm")
async def trigger_alarm(request: web.Request) -> web.Response:
    sim = sim_of(request)
    dev = _device(sim, request)
    body = await v.json_body(request, optional=True)
    channel = v.body_int(body, "channel", 0, dev.model.channels - 1) if "channel" in body else 0
    status = body.get("status", "MD")
    if status not in ALARM_STATUSES:
        raise RopError("invalid_parameter", "Invalid status")
    types = body.get("aiTypes", [])
    if isinstance(types, str):
        types = [t for t in types.split(",") if t]
    if not isinstance(types, list) or any(t not in AI_TYPES for t in types):
        raise RopError("invalid_parameter", "Invalid aiTypes")
    types = [t for t in types if t != "none"]
    sim.fleet.raise_alarm(dev.uid, channel, status, types)
    return json({"message": "ok", "alarms": sim.alarms.snapshot()["stats"]})


@routes.get("/_sim/alarms")
async def alarm_stats(request: web.Request) -> web.Response:
    return json(sim_of(request).alarms.snapshot())


def _faults(sim: Simulator) -> dict[str, Any]:
    data = {name: getattr(sim.config, name) for name in MUTABLE_FIELDS}
    data["scan_outcome"] = sim.scan_outcome
    return data


@routes.get("/_sim/faults")
async def get_faults(request: web.Request) -> web.Response:
    return json(_faults(sim_of(request)))


@routes.put("/_sim/faults")
async def set_faults(request: web.Request) -> web.Response:
    sim = sim_of(request)
    body = await v.json_body(request)
    for name, value in body.items():
        if name == "scan_outcome":
            if value is not None and value not in SCAN_OUTCOMES:
                raise RopError("invalid_parameter", "Invalid scan_outcome")
            continue
        if name not in MUTABLE_FIELDS:
            raise RopError("invalid_parameter", f"Not a mutable field {name}")
        if name in ("callback_url", "authcode"):
            if value is not None and not isinstance(value, str):
                raise RopError("invalid_parameter", f"Invalid {name}")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise RopError("invalid_parameter", f"Invalid {name}")
    # Validated as a whole first, then applied: a bad field changes nothing.
    for name, value in body.items():
        if name == "scan_outcome":
            sim.scan_outcome = value
            continue
        setattr(sim.config, name, value)
    sim.limiter.rate = sim.config.rate_limit
    sim.fleet.stay_awake_s = sim.config.stay_awake_seconds  # read by the LAN emulator's wake-ups
    if "offline_rate" in body:
        sim.start_flaky()
    return json(_faults(sim))


@routes.get("/_sim/counters")
async def get_counters(request: web.Request) -> web.Response:
    return json(sim_of(request).counters_snapshot())


@routes.delete("/_sim/counters")
@routes.post("/_sim/counters/reset")
async def reset_counters(request: web.Request) -> web.Response:
    sim_of(request).counters.clear()
    return ok()


@routes.get("/_sim/firmware")
async def list_firmware(request: web.Request) -> web.Response:
    files = sim_of(request).firmware.files.values()
    return json({"totalRows": len(files), "items": [f.as_dict() for f in files]})


@routes.get("/_sim/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    sim = sim_of(request)
    return json(
        {
            "upgrade": [
                {
                    "sessionId": s.session_id,
                    "uid": s.uid,
                    "file": s.file_name,
                    "status": s.status,
                    "outcome": s.outcome,
                    "createdAt": s.created_at,
                    "resolvesAt": s.resolves_at,
                    "expiresAt": s.expires_at,
                }
                for s in sim.upgrade_sessions.values()
            ],
            "scan": [
                {"sessionId": s.session_id, "uid": s.uid, "expiresAt": s.expires_at} for s in sim.scan_sessions.values()
            ],
            "play": len(sim.play_sessions),
            "init": [{"uid": s.uid, "expiresAt": s.expires_at, "used": s.used} for s in sim.init_sessions.values()],
        }
    )


@routes.post("/_sim/inject")
async def inject(request: web.Request) -> web.Response:
    sim = sim_of(request)
    body = await v.json_body(request)
    sim.injections.append(parse_injection(body))
    return json({"message": "ok", "queued": len(sim.injections)})


@routes.get("/_sim/inject")
async def list_injections(request: web.Request) -> web.Response:
    return json({"items": [vars(i) for i in sim_of(request).injections]})


@routes.delete("/_sim/inject")
async def clear_injections(request: web.Request) -> web.Response:
    sim_of(request).injections.clear()
    return ok()


@routes.post("/_sim/clock/advance")
async def advance_clock(request: web.Request) -> web.Response:
    sim = sim_of(request)
    body = await v.json_body(request)
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise RopError("invalid_parameter", "Invalid seconds")
    sim.clock.advance(float(seconds))
    sim.tick()
    return json({"now": sim.now()})
