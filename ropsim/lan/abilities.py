"""GetAbility: the capability tree clients use to decide what to ask for.

Each entry is ``{"permit": p, "ver": v}``; ``ver`` 0 means absent. Clients
(reolink-aio in particular) derive most features from it: ``ptzType`` decides
pan/tilt/zoom, ``ptzPreset`` the preset calls, ``floodLight`` the white LED,
``scheduleVersion`` whether the V20 flavours of GetEmail/GetPush/GetRec are
used, ``reboot`` whether Reboot is offered. The tree is derived from the
ModelSpec capability flags so every model advertises only what it can do.
"""

from __future__ import annotations

from typing import Any

from . import devices

PERMIT_RW = 6
PERMIT_RO = 4


def _v(ver: int, permit: int = PERMIT_RW) -> dict[str, int]:
    return {"permit": permit, "ver": int(ver)}


def ptz_type(dev: Any) -> int:
    """0 none, 1 motorised zoom lens, 2 pan/tilt + zoom, 3 pan/tilt only."""
    rotate, zoom = devices.has(dev, "ptz_rotate"), devices.has(dev, "zoom")
    if rotate and zoom:
        return 2
    if rotate:
        return 3
    if zoom:
        return 1
    return 0


def channel_ability(dev: Any) -> dict[str, Any]:
    ptz = ptz_type(dev)
    ai = bool(devices.ai_types(dev))
    return {
        "ptzType": _v(ptz),
        "ptzCtrl": _v(1 if ptz else 0),
        "ptzPreset": _v(1 if devices.has(dev, "ptz_rotate") else 0),
        "ptzPatrol": _v(0),
        "supportPtzSpeed": _v(1 if ptz else 0),
        "supportDigitalZoom": _v(0),
        "floodLight": _v(1 if devices.has(dev, "spotlight") else 0),
        "supportFLswitch": _v(1 if devices.has(dev, "spotlight") else 0),
        "ledControl": _v(1),
        "alarmAudio": _v(1 if devices.has(dev, "siren") else 0),
        "supportAudioAlarm": _v(1 if devices.has(dev, "siren") else 0),
        "battery": _v(1 if devices.has(dev, "battery") else 0),
        "supportAiDetectConfig": _v(1 if ai else 0),
        "supportAi": _v(1 if ai else 0),
        "mdTriggerAudio": _v(1),
        "alarmMd": _v(1),
        "snap": _v(1),
        "osd": _v(1),
        "enc": _v(1),
        "isp": _v(1),
        "ispDayNight": _v(1),
        "mask": _v(0),
        "recCfg": _v(1),
        "email": _v(1),
        "push": _v(1),
        "ftp": _v(1),
        "supportWebhook": _v(0),
        "supportWiFi": _v(1 if devices.has(dev, "wifi") else 0),
    }


def ability(dev: Any, username: str) -> dict[str, Any]:
    chn = channel_ability(dev)
    nvr = devices.is_nvr(dev)
    return {
        "Ability": {
            "abilityChn": [dict(chn) for _ in range(devices.channel_count(dev))],
            "userName": username,
            "devInfo": _v(1, PERMIT_RO),
            "reboot": _v(1),
            "restore": _v(1),
            "upgrade": _v(0),  # firmware goes through ROP, not the LAN API
            "scheduleVersion": _v(1),
            "rtsp": _v(1),
            "rtmp": _v(1),
            "onvif": _v(1),
            "httpFlv": _v(0),
            "p2p": _v(1),
            "localLink": _v(1),
            "time": _v(1),
            "ntp": _v(1),
            "hddInfo": _v(1 if (nvr or devices.has(dev, "sd_card")) else 0),
            "wifi": _v(1 if devices.has(dev, "wifi") else 0),
            "performance": _v(0),
            "supportBuzzer": _v(0),
            "pushCfg": _v(1),
        }
    }
