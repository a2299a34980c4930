"""The api.cgi commands: one function per command, each returning its value.

A handler gets the request context and the command's ``param`` and returns
the ``value`` dict (or ``(value, extra)`` where extra holds "initial"/"range"
for action=1 reads); it raises CommandError for an error envelope. Commands
not in COMMANDS answer rspCode -9 "not support", like firmware that lacks
them; clients (reolink-aio included) treat that as "feature absent".

Login/Logout and authentication are in server.py; everything here runs with
a valid session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ropsim.fleet import FOCUS_MAX, ZOOM_MAX

from . import abilities, devices, snapshot
from .protocol import (
    RSP_NOT_SUPPORT,
    RSP_PARAM_ERROR,
    SET_OK,
    CommandError,
)
from .state import PRESET_SLOTS, DeviceLanState, Preset


@dataclass
class Context:
    dev: Any  # the fleet's SimDevice (ropsim.fleet.SimDevice)
    lan: DeviceLanState
    host: str  # address the endpoint listens on (for RTSP URLs etc.)
    port: int
    username: str
    media_port: int = 0  # the Baichuan stand-in (media_port.py)


Result = dict[str, Any] | tuple[dict[str, Any], dict[str, Any]]
Handler = Callable[[Context, dict[str, Any], int], Result]
COMMANDS: dict[str, Handler] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = func
        return func

    return register


def _channel(ctx: Context, param: dict[str, Any], key: str = "channel") -> int:
    """The channel a command targets; out of range answers -4 "param error"."""
    raw = param.get(key, 0) if isinstance(param, dict) else 0
    try:
        channel = int(raw)
    except (TypeError, ValueError):
        raise CommandError(RSP_PARAM_ERROR) from None
    if not 0 <= channel < len(ctx.lan.channels):
        raise CommandError(RSP_PARAM_ERROR)
    return channel


def _require(ctx: Context, capability: str) -> None:
    if not devices.has(ctx.dev, capability):
        raise CommandError(RSP_NOT_SUPPORT)


def _mac(uid: str) -> str:
    digest = sum((i + 1) * b for i, b in enumerate(uid.encode()))
    tail = [(digest >> s) & 0xFF for s in (16, 8, 0)]
    return "EC:71:DB:" + ":".join(f"{b:02X}" for b in tail)


def _schedule(enable: int = 1) -> dict[str, Any]:
    return {"enable": enable, "table": {"MD": "1" * 168, "TIMING": "0" * 168}}


# -- host-level --------------------------------------------------------------
@command("GetDevInfo")
def get_dev_info(ctx: Context, param: dict[str, Any], action: int) -> Result:
    nvr = devices.is_nvr(ctx.dev)
    kind = "NVR" if nvr else "IPC"
    return {
        "DevInfo": {
            "B485": 0,
            "IOInputNum": 0,
            "IOOutputNum": 0,
            "audioNum": 0 if nvr else 1,
            "buildDay": "build " + devices.firmware_version(ctx.dev).rsplit("_", 1)[-1],
            "cfgVer": "v3.0.0.0",
            "channelNum": len(ctx.lan.channels),
            "detail": ctx.dev.firmware,
            "diskNum": 1 if (nvr or devices.has(ctx.dev, "sd_card")) else 0,
            "exactType": kind,
            "firmVer": devices.firmware_version(ctx.dev),
            "frameworkVer": 1,
            "hardVer": "ROPSIM_" + ctx.dev.model.name.replace(" ", "_").upper(),
            "model": ctx.dev.model.name,
            "name": ctx.dev.name,
            "pakSuffix": "pak",
            "serial": "00000000000000",
            "type": kind,
            "wifi": 1 if devices.has(ctx.dev, "wifi") else 0,
        }
    }


@command("GetChannelstatus")
def get_channel_status(ctx: Context, param: dict[str, Any], action: int) -> Result:
    model = ctx.dev.model.name
    return {
        "count": len(ctx.lan.channels),
        "status": [
            {
                "channel": ch,
                "name": devices.channel_name(ctx.dev, ch),
                "online": 1,
                "sleep": 0,
                "typeInfo": model,
            }
            for ch in range(len(ctx.lan.channels))
        ],
    }


@command("GetChnTypeInfo")
def get_chn_type_info(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _channel(ctx, param)
    return {
        "typeInfo": ctx.dev.model.name,
        "firmVer": devices.firmware_version(ctx.dev),
        "boardInfo": "ROPSIM",
    }


@command("GetAbility")
def get_ability(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return abilities.ability(ctx.dev, ctx.username)


@command("GetLocalLink")
def get_local_link(ctx: Context, param: dict[str, Any], action: int) -> Result:
    wifi = devices.has(ctx.dev, "wifi")
    return {
        "LocalLink": {
            "activeLink": "Wifi" if wifi else "LAN",
            "dns": {"auto": 1, "dns1": "192.168.1.1", "dns2": "192.168.1.254"},
            "mac": _mac(ctx.lan.uid),
            "static": {"gateway": "192.168.1.1", "ip": ctx.host, "mask": "255.255.255.0"},
            "type": "DHCP",
        }
    }


@command("GetNetPort")
def get_net_port(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {
        "NetPort": {
            "mediaPort": ctx.media_port or 9000,
            "httpEnable": 1,
            "httpPort": ctx.port,
            "httpsEnable": 0,
            "httpsPort": 443,
            "onvifEnable": 1,
            "onvifPort": 8000,
            "rtmpEnable": 1,
            "rtmpPort": 1935,
            "rtspEnable": 1,
            "rtspPort": 554,
        }
    }


@command("GetP2p")
def get_p2p(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {"P2p": {"enable": 1, "uid": ctx.lan.uid}}


@command("GetHddInfo")
def get_hdd_info(ctx: Context, param: dict[str, Any], action: int) -> Result:
    if devices.is_nvr(ctx.dev):
        disks = [{"capacity": 1907729, "format": 1, "id": 0, "mount": 1, "size": 1500000, "storageType": 1}]
    elif ctx.dev.has_recordings:
        disks = [{"capacity": 60880, "format": 1, "id": 0, "mount": 1, "size": 41230, "storageType": 2}]
    else:
        disks = []
    return {"HddInfo": disks}


@command("GetUser")
def get_user(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {"User": [{"level": "admin", "userName": ctx.username}]}


@command("GetNtp")
def get_ntp(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {"Ntp": {"enable": 1, "interval": 1440, "port": 123, "server": "pool.ntp.org"}}


@command("GetTime")
def get_time(ctx: Context, param: dict[str, Any], action: int) -> Result:
    now = datetime.fromtimestamp(ctx.lan.clock())  # the fleet clock, in the host's time zone
    offset = now.astimezone().utcoffset()
    # Reolink's timeZone is seconds *west* of UTC (the sign is inverted).
    tz = -int(offset.total_seconds()) if offset else 0
    return {
        "Dst": {"enable": 0, "offset": 1},
        "Time": {
            "year": now.year,
            "mon": now.month,
            "day": now.day,
            "hour": now.hour,
            "min": now.minute,
            "sec": now.second,
            "hourFmt": 0,
            "timeFmt": "DD/MM/YYYY",
            "timeZone": tz,
        },
    }


@command("GetPushCfg")
def get_push_cfg(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {"PushCfg": {"enable": 1}}


@command("GetBatteryInfo")
def get_battery_info(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "battery")
    channel = _channel(ctx, param)
    # ctx.dev came from Fleet.get(), which brought drain/charge up to now.
    percent = int(round(ctx.dev.battery_percent or 0))
    charge = ctx.dev.charge_status or "none"
    return {
        "Battery": {
            "adapterStatus": "solarPanel" if charge != "none" else "none",
            "batteryPercent": percent,
            "batteryVersion": 2,
            "channel": channel,
            "chargeStatus": charge,
            "current": 0,
            "lowPower": 1 if percent < 15 else 0,
            "temperature": 21,
            "voltage": 7000 + 12 * percent,
        }
    }


# -- channel configuration reads -----------------------------------------------
@command("GetEnc")
def get_enc(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    main_w, main_h = ctx.dev.model.main_resolution
    sub_w, sub_h = snapshot.size_for(ctx.dev, "sub")
    return {
        "Enc": {
            "audio": 1,
            "channel": channel,
            "mainStream": {
                "bitRate": 6144,
                "frameRate": 25,
                "gop": 2,
                "height": main_h,
                "profile": "High",
                "size": f"{main_w}*{main_h}",
                "vType": "h264",
                "width": main_w,
            },
            "subStream": {
                "bitRate": 256,
                "frameRate": 10,
                "gop": 4,
                "height": sub_h,
                "profile": "High",
                "size": f"{sub_w}*{sub_h}",
                "vType": "h264",
                "width": sub_w,
            },
        }
    }


@command("GetRtspUrl")
def get_rtsp_url(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    base = f"rtsp://{ctx.host}:554/Preview_{channel + 1:02d}"
    return {"rtspUrl": {"channel": channel, "mainStream": f"{base}_main", "subStream": f"{base}_sub"}}


@command("GetIsp")
def get_isp(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {
        "Isp": {
            "antiFlicker": "Outdoor",
            "backLight": "DynamicRangeControl",
            "channel": channel,
            "dayNight": "Auto",
            "exposure": "Auto",
            "mirroring": 0,
            "rotation": 0,
        }
    }


@command("GetIrLights")
def get_ir_lights(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {"IrLights": {"channel": channel, "state": ctx.lan.channels[channel].ir_state}}


@command("GetOsd")
def get_osd(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {
        "Osd": {
            "bgcolor": 0,
            "channel": channel,
            "osdChannel": {"enable": 1, "name": devices.channel_name(ctx.dev, channel), "pos": "Lower Right"},
            "osdTime": {"enable": 1, "pos": "Top Center"},
            "watermark": 0,
        }
    }


@command("GetManualRec")
def get_manual_rec(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {"Rec": {"channel": channel, "enable": 0}}


@command("GetEmail", "GetEmailV20")
def get_email(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    email = {"channel": channel, "enable": 0, "schedule": _schedule(0), "scheduleEnable": 0}
    return {"Email": email}


@command("GetPush", "GetPushV20")
def get_push(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {"Push": {"channel": channel, "enable": 1, "schedule": _schedule(1), "scheduleEnable": 1}}


@command("GetFtp", "GetFtpV20")
def get_ftp(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {"Ftp": {"channel": channel, "enable": 0, "schedule": _schedule(0), "scheduleEnable": 0}}


@command("GetRec", "GetRecV20")
def get_rec(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    recording = devices.is_nvr(ctx.dev) or ctx.dev.has_recordings
    value = {
        "Rec": {
            "channel": channel,
            "enable": 1 if recording else 0,
            "overwrite": 1,
            "packTime": "30 Minutes",
            "postRec": "30 Seconds",
            "preRec": 1,
            "saveDay": 30,
            "schedule": _schedule(1 if recording else 0),
            "scheduleEnable": 1 if recording else 0,
        }
    }
    extra = {
        "range": {
            "Rec": {
                "packTime": ["15 Minutes", "30 Minutes", "60 Minutes"],
                "postRec": ["15 Seconds", "30 Seconds", "1 Minute"],
            }
        }
    }
    return value, extra


@command("GetAudioAlarm", "GetAudioAlarmV20")
def get_audio_alarm(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "siren")
    channel = _channel(ctx, param)
    return {"Audio": {"channel": channel, "enable": 1, "schedule": _schedule(1), "scheduleEnable": 1}}


def _md_alarm(channel: int) -> dict[str, Any]:
    sens = [{"beginHour": 0, "beginMin": 0, "endHour": 23, "endMin": 59, "id": i, "sensitivity": 10} for i in range(4)]
    return {
        "channel": channel,
        "newSens": {"sensDef": 41},
        "scope": {"cols": 80, "rows": 60, "table": "1" * 4800},
        "sens": sens,
        "type": "md",
        "useNewSens": 1,
    }


@command("GetMdAlarm")
def get_md_alarm(ctx: Context, param: dict[str, Any], action: int) -> Result:
    return {"MdAlarm": _md_alarm(_channel(ctx, param))}


@command("GetAlarm")
def get_alarm(ctx: Context, param: dict[str, Any], action: int) -> Result:
    inner = param.get("Alarm", {}) if isinstance(param, dict) else {}
    return {"Alarm": _md_alarm(_channel(ctx, inner))}


# -- motion / AI -------------------------------------------------------------
@command("GetMdState")
def get_md_state(ctx: Context, param: dict[str, Any], action: int) -> Result:
    channel = _channel(ctx, param)
    return {"state": 1 if ctx.lan.motion(channel) else 0}


@command("GetAiState")
def get_ai_state(ctx: Context, param: dict[str, Any], action: int) -> Result:
    # Cameras without AI answer an error here; pollers swallow it.
    supported = devices.ai_types(ctx.dev)
    if not supported:
        raise CommandError(RSP_NOT_SUPPORT)
    channel = _channel(ctx, param)
    value: dict[str, Any] = {"channel": channel}
    for ai_type in devices.AI_TYPES:
        known = ai_type in supported
        alarm = known and ctx.lan.ai(channel, ai_type)
        value[ai_type] = {"alarm_state": 1 if alarm else 0, "support": 1 if known else 0}
    return value


# -- white LED (spotlight) ---------------------------------------------------------
@command("GetWhiteLed")
def get_white_led(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "spotlight")
    channel = _channel(ctx, param)
    led = ctx.lan.channels[channel].whiteled
    value = {
        "WhiteLed": {
            "LightingSchedule": {"EndHour": 6, "EndMin": 0, "StartHour": 18, "StartMin": 0},
            "bright": led.bright,
            "channel": channel,
            "mode": led.mode,
            "state": led.state,
            "wlAiDetectType": {"dog_cat": 1, "face": 0, "people": 1, "vehicle": 0},
        }
    }
    if action == 1:
        return value, {"range": {"WhiteLed": {"bright": {"max": 100, "min": 0}, "mode": [0, 1, 3]}}}
    return value


@command("SetWhiteLed")
def set_white_led(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "spotlight")
    settings = param.get("WhiteLed") if isinstance(param, dict) else None
    if not isinstance(settings, dict):
        raise CommandError(RSP_PARAM_ERROR)
    channel = _channel(ctx, settings)
    led = ctx.lan.channels[channel].whiteled
    try:
        if "state" in settings:
            state = int(settings["state"])
            if state not in (0, 1):
                raise CommandError(RSP_PARAM_ERROR)
            led.state = state
        if "bright" in settings:
            bright = int(settings["bright"])
            if not 0 <= bright <= 100:
                raise CommandError(RSP_PARAM_ERROR)
            led.bright = bright
        if "mode" in settings:
            mode = int(settings["mode"])
            if mode not in (0, 1, 2, 3):
                raise CommandError(RSP_PARAM_ERROR)
            led.mode = mode
    except (TypeError, ValueError):
        raise CommandError(RSP_PARAM_ERROR) from None
    return dict(SET_OK)


# -- siren -------------------------------------------------------------------
@command("AudioAlarmPlay")
def audio_alarm_play(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "siren")
    channel = _channel(ctx, param)
    ch = ctx.lan.channels[channel]
    mode = param.get("alarm_mode", "times")
    try:
        if mode == "manul":  # sic: the firmware's spelling
            ch.siren_manual = int(param.get("manual_switch", 0)) == 1
            if ch.siren_manual:
                ch.siren_plays += 1
        elif mode == "times":
            times = int(param.get("times", 1))
            if not 1 <= times <= 100:
                raise CommandError(RSP_PARAM_ERROR)
            ch.siren_plays += 1
            ch.siren_until = ctx.lan.clock() + 2.0 * times
        else:
            raise CommandError(RSP_PARAM_ERROR)
    except (TypeError, ValueError):
        raise CommandError(RSP_PARAM_ERROR) from None
    return dict(SET_OK)


# -- PTZ ---------------------------------------------------------------------
PTZ_MOVE_OPS = {"Left", "Right", "Up", "Down", "LeftUp", "LeftDown", "RightUp", "RightDown", "Auto"}
PTZ_ZOOM_OPS = {"ZoomInc", "ZoomDec"}
PTZ_FOCUS_OPS = {"FocusInc", "FocusDec"}


@command("PtzCtrl")
def ptz_ctrl(ctx: Context, param: dict[str, Any], action: int) -> Result:
    if abilities.ptz_type(ctx.dev) == 0:
        raise CommandError(RSP_NOT_SUPPORT)
    channel = _channel(ctx, param)
    ptz = ctx.lan.channels[channel].ptz
    op = param.get("op")
    try:
        speed = int(param.get("speed", 32))
    except (TypeError, ValueError):
        raise CommandError(RSP_PARAM_ERROR) from None
    if not 1 <= speed <= 64:
        raise CommandError(RSP_PARAM_ERROR)
    if op == "Stop":
        ptz.apply("Stop", 0)
    elif op in PTZ_MOVE_OPS:
        _require(ctx, "ptz_rotate")
        ptz.apply(op, speed)
    elif op in PTZ_ZOOM_OPS:
        _require(ctx, "zoom")
        ptz.apply(op, speed)
    elif op in PTZ_FOCUS_OPS:
        _require(ctx, "focus")
        ptz.apply(op, speed)
    elif op == "ToPos":
        _require(ctx, "ptz_rotate")
        preset = ptz.presets.get(_preset_id(param))
        if preset is None:
            raise CommandError(RSP_PARAM_ERROR)
        ptz.goto(preset)
    else:
        raise CommandError(RSP_PARAM_ERROR)
    return dict(SET_OK)


def _preset_id(param: dict[str, Any]) -> int:
    try:
        preset_id = int(param.get("id", ""))  # missing: ValueError, like a malformed id
    except (TypeError, ValueError):
        raise CommandError(RSP_PARAM_ERROR) from None
    if not 1 <= preset_id <= PRESET_SLOTS:
        raise CommandError(RSP_PARAM_ERROR)
    return preset_id


@command("GetPtzPreset")
def get_ptz_preset(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "ptz_rotate")
    channel = _channel(ctx, param)
    presets = ctx.lan.channels[channel].ptz.presets
    rows = []
    for preset_id in range(1, PRESET_SLOTS + 1):
        preset = presets.get(preset_id)
        rows.append(
            {
                "channel": channel,
                "enable": 1 if preset else 0,
                "id": preset_id,
                "name": preset.name if preset else f"pos{preset_id}",
            }
        )
    return {"PtzPreset": rows}


@command("SetPtzPreset")
def set_ptz_preset(ctx: Context, param: dict[str, Any], action: int) -> Result:
    """Save the current position as a preset (enable=1) or delete it (enable=0)."""
    _require(ctx, "ptz_rotate")
    inner = param.get("PtzPreset") if isinstance(param, dict) else None
    if not isinstance(inner, dict):
        raise CommandError(RSP_PARAM_ERROR)
    channel = _channel(ctx, inner)
    preset_id = _preset_id(inner)
    ptz = ctx.lan.channels[channel].ptz
    if int(inner.get("enable", 1)) == 0:
        ptz.presets.pop(preset_id, None)
    else:
        name = str(inner.get("name") or f"pos{preset_id}")[:31]
        ptz.presets[preset_id] = Preset(preset_id, name, ptz.pan, ptz.tilt, ptz.zoom)
    return dict(SET_OK)


@command("GetPtzPatrol")
def get_ptz_patrol(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "ptz_rotate")
    channel = _channel(ctx, param)
    return {"PtzPatrol": [{"channel": channel, "enable": 0, "id": 0, "running": 0, "preset": []}]}


@command("GetPtzGuard")
def get_ptz_guard(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "ptz_rotate")
    channel = _channel(ctx, param)
    return {"PtzGuard": {"benable": 0, "bexistPos": 0, "channel": channel, "cmdStr": "", "timeout": 60}}


@command("GetPtzCurPos")
def get_ptz_cur_pos(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "ptz_rotate")
    inner = param.get("PtzCurPos", param) if isinstance(param, dict) else {}
    channel = _channel(ctx, inner)
    ptz = ctx.lan.channels[channel].ptz
    return {"PtzCurPos": {"Ppos": ptz.pan, "Tpos": ptz.tilt, "channel": channel}}


@command("GetZoomFocus")
def get_zoom_focus(ctx: Context, param: dict[str, Any], action: int) -> Result:
    _require(ctx, "zoom")
    channel = _channel(ctx, param)
    ptz = ctx.lan.channels[channel].ptz
    value = {"ZoomFocus": {"channel": channel, "focus": {"pos": ptz.focus}, "zoom": {"pos": ptz.zoom}}}
    extra = {
        "range": {
            "ZoomFocus": {"focus": {"pos": {"max": FOCUS_MAX, "min": 0}}, "zoom": {"pos": {"max": ZOOM_MAX, "min": 0}}}
        }
    }
    return value, extra
