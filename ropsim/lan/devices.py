"""What the LAN side derives from a fleet device (ropsim.fleet.SimDevice).

The fleet is owned by the cloud simulator; the LAN API reads it live on every
request (name, firmware, online, SD card, battery), never copies it. This
module holds the LAN-specific readings: capability flags, NVR channel names
and Reolink's firmware version strings.
"""

from __future__ import annotations

import re

from ropsim.fleet import SimDevice

# The AI classes GetAiState reports, in the firmware's spelling.
AI_TYPES = ("people", "vehicle", "dog_cat", "face")
DEFAULT_AI_TYPES = ("people", "vehicle", "dog_cat")

_REOLINK_FW = re.compile(r"^v\d+\.\d+\.\d+\.\d+_\d{8,10}$", re.IGNORECASE)


def channel_count(dev: SimDevice) -> int:
    return dev.model.channels


def is_nvr(dev: SimDevice) -> bool:
    return dev.model.channels > 1


def has(dev: SimDevice, capability: str) -> bool:
    """A ModelSpec flag: battery / zoom / focus / ptz_rotate / wifi / sd_card / spotlight / siren / ai."""
    return bool(getattr(dev.model, capability))


def ai_types(dev: SimDevice) -> tuple[str, ...]:
    """AI classes the model detects."""
    return DEFAULT_AI_TYPES if dev.model.ai else ()


def channel_name(dev: SimDevice, channel: int) -> str:
    """The device name; an NVR's channels are "<name> CH01"..."""
    return f"{dev.name} CH{channel + 1:02d}" if is_nvr(dev) else dev.name


def firmware_version(dev: SimDevice) -> str:
    """GetDevInfo.firmVer in Reolink's "v3.1.0.2368_23062508" form.

    Fleet firmware strings follow ROP's style ("Argus_2_200104_751"), which
    clients such as reolink-aio cannot parse; those are mapped to a stable
    synthetic version and the raw string goes to GetDevInfo.detail instead.
    """
    raw = dev.firmware
    if _REOLINK_FW.match(raw):
        return raw
    digits = re.findall(r"\d+", raw)
    build = int(digits[-1]) % 10000 if digits else 1000
    date = next((d for d in digits if len(d) == 6), "230101")
    major = 2 if is_old_firmware(dev) else 3
    return f"v{major}.0.0.{build}_{date}00"


def is_old_firmware(dev: SimDevice) -> bool:
    """Firmware built before 2021 (or a "v2.x" version).

    Such firmware answers a Snap with a rejected token with the web UI's HTML
    page instead of a JSON error. The build date is the yymmdd part of the
    fleet's version string ("Argus_2_200104_751" -> 2020-01-04).
    """
    raw = dev.firmware
    match = re.match(r"^v(\d+)\.", raw, re.IGNORECASE)
    if match:
        return int(match.group(1)) < 3
    dates = re.findall(r"(?<!\d)\d{6}(?!\d)", raw)
    return bool(dates) and dates[0] < "210101"
