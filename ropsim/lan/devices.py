"""Read what the LAN side needs from a fleet device (ropsim.fleet.SimDevice).

The fleet is owned by the cloud simulator; this module is the one place that
knows its attribute names, so a rename there is a one-file fix here. Values
that change at run time (name, firmware, online) are read live on every
request, never copied.
"""

from __future__ import annotations

import re
from typing import Any

# The AI classes GetAiState reports, in the firmware's spelling.
AI_TYPES = ("people", "vehicle", "dog_cat", "face")
DEFAULT_AI_TYPES = ("people", "vehicle", "dog_cat")

_REOLINK_FW = re.compile(r"^v\d+\.\d+\.\d+\.\d+_\d{8,10}$", re.IGNORECASE)


def spec(dev: Any) -> Any:
    return getattr(dev, "model", None)


def _flag(dev: Any, name: str) -> bool:
    """A capability flag, looked up on the ModelSpec, then on the device."""
    value = getattr(spec(dev), name, None)
    if value is None:
        value = getattr(dev, name, False)
    return bool(value)


def model_name(dev: Any) -> str:
    model = spec(dev)
    if isinstance(model, str):
        return model
    return str(getattr(model, "name", None) or "Reolink Camera")


def channel_count(dev: Any) -> int:
    return max(1, int(getattr(spec(dev), "channels", None) or getattr(dev, "channels", 1) or 1))


def is_nvr(dev: Any) -> bool:
    model = spec(dev)
    for attr in ("is_nvr", "nvr"):
        value = getattr(model, attr, None)
        if value is not None:
            return bool(value)
    family = str(getattr(model, "family", "") or "").lower()
    return family == "nvr" or channel_count(dev) > 1


def has(dev: Any, capability: str) -> bool:
    """battery / zoom / focus / ptz_rotate / wifi / sd_card / spotlight / siren / ai."""
    if capability == "battery":
        family = str(getattr(spec(dev), "family", "") or "").lower()
        return _flag(dev, "battery") or family == "battery"
    return _flag(dev, capability)


def ai_types(dev: Any) -> tuple[str, ...]:
    """AI classes the model detects: the ModelSpec may give a bool or a list."""
    value = getattr(spec(dev), "ai", None)
    if value is None:
        value = getattr(dev, "ai", None)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(t for t in AI_TYPES if t in value)
    return DEFAULT_AI_TYPES if value else ()


def display_name(dev: Any) -> str:
    return str(getattr(dev, "name", None) or getattr(dev, "uid", "Camera"))


def firmware(dev: Any) -> str:
    return str(getattr(dev, "firmware", None) or "")


def firmware_version(dev: Any) -> str:
    """GetDevInfo.firmVer in Reolink's "v3.1.0.2368_23062508" form.

    Fleet firmware strings follow ROP's style ("Argus_2_200104_751"), which
    clients such as reolink-aio cannot parse; those are mapped to a stable
    synthetic version and the raw string goes to GetDevInfo.detail instead.
    """
    raw = firmware(dev)
    if _REOLINK_FW.match(raw):
        return raw
    digits = re.findall(r"\d+", raw)
    build = int(digits[-1]) % 10000 if digits else 1000
    date = next((d for d in digits if len(d) == 6), "230101")
    major = 2 if is_old_firmware(dev) else 3
    return f"v{major}.0.0.{build}_{date}00"


def is_old_firmware(dev: Any) -> bool:
    """Firmware built before 2021 (or a "v2.x" version).

    Such firmware answers a Snap with a rejected token with the web UI's HTML
    page instead of a JSON error. The build date is the yymmdd part of the
    fleet's version string ("Argus_2_200104_751" -> 2020-01-04).
    """
    raw = firmware(dev)
    match = re.match(r"^v(\d+)\.", raw, re.IGNORECASE)
    if match:
        return int(match.group(1)) < 3
    dates = [d for d in re.findall(r"(?<!\d)\d{6}(?!\d)", raw)]
    return bool(dates) and dates[0] < "210101"


def is_online(dev: Any) -> bool:
    return bool(getattr(dev, "online", True))


def uid(dev: Any) -> str:
    return str(getattr(dev, "uid", ""))
