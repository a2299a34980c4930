"""WiFi configuration, scan tasks and the WiFi test.

The simulated radio environment (fleet.KNOWN_WIFI_KEYS): a device sees the
spec's example networks plus a few seeded neighbours; the right key of an
example network is listed there, any other network's key is "<ssid>-key",
and "Reolink_Guest" is open. A device can only join a network it can see.
"""

from __future__ import annotations

import random
from typing import Any

from aiohttp import web

from ropsim import validation as v
from ropsim.context import json, ok, sim_of
from ropsim.fleet import KNOWN_WIFI_KEYS, OPEN_NETWORKS, SimDevice, WifiConfig, wifi_key_ok
from ropsim.sessions import ScanSession

routes = web.RouteTableDef()

MAX_NETWORKS = 64
SCAN_OUTCOMES = ("success", "error", "timeout")


def visible_networks(seed: int, dev: SimDevice) -> list[dict[str, Any]]:
    rng = random.Random(f"ropsim-wifi:{seed}:{dev.uid}")
    names = list(KNOWN_WIFI_KEYS)
    if dev.wifi and dev.wifi.ssid not in names:
        names.append(dev.wifi.ssid)
    names += [f"Neighbor-{rng.randrange(16**4):04X}" for _ in range(rng.randint(3, 30))]
    nets = [
        {
            "ssid": ssid,
            "signal": rng.randint(-95, -30),
            "encryptMode": "none" if ssid in OPEN_NETWORKS else "auto",
            "channel": rng.choice([1, 6, 11, 36, 44, 149]),
        }
        for ssid in dict.fromkeys(names)
    ]
    nets.sort(key=lambda n: n["signal"], reverse=True)
    return nets[:MAX_NETWORKS]


def _network(seed: int, dev: SimDevice, ssid: str) -> dict[str, Any] | None:
    return next((n for n in visible_networks(seed, dev) if n["ssid"] == ssid), None)


def _wifi_body(body: dict[str, Any]) -> tuple[str, str, str]:
    return v.wifi_ssid(body), v.wifi_key(body), v.country_code(body)


@routes.get("/v1.0/devices/{uid}/settings/wifi-config")
async def get_wifi_config(request: web.Request) -> web.Response:
    uid = v.uid_param(request)
    dev = await sim_of(request).device_call(uid, capability="wifi")
    cfg = dev.wifi or WifiConfig(ssid="", key="")
    return json({"ssid": cfg.ssid, "channel": cfg.channel, "countryCode": cfg.country_code})


# The table's entry only: the example's PUT /wifi/test answers 404 on the real server.
@routes.put("/v1.0/devices/{uid}/settings/wifi-config")
async def set_wifi_config(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    ssid, key, country = _wifi_body(await v.json_body(request))
    dev = await sim.device_call(uid, capability="wifi")
    net = _network(sim.config.seed, dev, ssid)
    dev.wifi = WifiConfig(ssid=ssid, key=key, channel=net["channel"] if net else 1, country_code=country)
    if dev.model.wifi_only:
        # The spec: a WiFi-only device drops off the network and ROP; with wrong details it
        # never comes back (until reset — here: /_sim/devices/{uid}/online).
        sim.fleet.set_offline(uid, "wifi")
        if net is not None and wifi_key_ok(ssid, key):
            sim.scheduler.after(sim.config.wifi_reconnect_seconds, lambda: _reconnect(sim, uid))
    return ok()


def _reconnect(sim: Any, uid: str) -> None:
    if uid in sim.fleet.devices:
        sim.fleet.set_online(uid, "wifi")


@routes.post("/v1.0/devices/{uid}/wifi/test")
async def test_wifi(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    ssid, key, _country = _wifi_body(await v.json_body(request))
    dev = await sim.device_call(uid, capability="wifi")
    good = _network(sim.config.seed, dev, ssid) is not None and wifi_key_ok(ssid, key)
    if dev.model.wifi_only:
        # "Device supporting only WiFi should not use this interface, otherwise the device will
        # be disconnected": it answers, leaves, and rejoins its own network later.
        sim.fleet.set_offline(uid, "wifi")
        sim.scheduler.after(sim.config.wifi_reconnect_seconds, lambda: _reconnect(sim, uid))
    return json({"status": "success" if good else "error"})


@routes.post("/v1.0/devices/{uid}/wifi/scan-task")
async def start_scan(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    dev = await sim.device_call(uid, capability="wifi")
    now = sim.now()
    # /_sim/faults can force "error" or "timeout" for the next scans.
    outcome = sim.scan_outcome if sim.scan_outcome in SCAN_OUTCOMES else "success"
    session = ScanSession(
        session_id=sim.new_session_id(),
        uid=uid,
        created_at=now,
        done_at=now + sim.config.wifi_scan_seconds,
        expires_at=now + sim.config.wifi_scan_ttl,
        outcome=outcome,
        networks=[{k: n[k] for k in ("ssid", "signal", "encryptMode")} for n in visible_networks(sim.config.seed, dev)],
    )
    sim.scan_sessions[session.session_id] = session
    return json({"sessionId": session.session_id, "expiringAt": int(session.expires_at * 1000)})


# The table's path only: the example's /wifi/{session-id} answers 404 on the real server.
@routes.get("/v1.0/devices/{uid}/wifi/scan/{sessionId}")
async def scan_result(request: web.Request) -> web.Response:
    sim = sim_of(request)
    uid = v.uid_param(request)
    session_id = v.scan_session_id_param(request)  # shape first: a malformed id is never looked up
    session = sim.scan_session(uid, session_id)
    if sim.now() < session.done_at:
        return json({"status": "scanning", "wifiList": []})
    if session.outcome != "success":
        return json({"status": session.outcome, "wifiList": []})
    return json({"status": "success", "wifiList": session.networks})
