"""Catalogue of the camera models the simulated fleet is made of.

Each ``ModelSpec`` carries what decides the ROP answers for a device: its
family (battery/powered), channel count, capability flags (a call the model
cannot do answers cmd_not_support) and how its firmware images are named (an
image not named for the model fails the device's file check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Reolink image names carry "<build>_<yymmdd..>" (e.g. "...2143_23042822..."); the
# simulator turns that into the version string the device then reports.
_VERSION_IN_NAME = re.compile(r"(?<!\d)(\d{3,4})_(\d{6})\d*(?!\d)")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str  # "battery" or "powered", as GET /v1.0/devices reports it
    channels: int
    image_token: str  # appears in every firmware image built for this model
    firmware_prefix: str  # start of the version string, e.g. "Argus_2"
    image_ext: str = ".pak"
    battery: bool = False
    pir: bool = False  # a PIR motion sensor (Reolink's battery cameras); without one PIR calls are refused
    zoom: bool = False
    focus: bool = False
    ptz_rotate: bool = False
    wifi: bool = False
    wired: bool = True
    sd_card: bool = True
    ai: bool = False
    spotlight: bool = False
    siren: bool = False
    main_resolution: tuple[int, int] = (1920, 1080)

    @property
    def wifi_only(self) -> bool:
        return self.wifi and not self.wired

    @property
    def firmware_pattern(self) -> str:
        """Regex a firmware file name must match to pass this model's file check."""
        # Separators vary between Reolink's image names ("RLC-810A", "Argus_2", "Duo 2").
        token = "[-_ .]".join(re.escape(part) for part in self.image_token.split("-"))
        return rf"(?i)(?:^|[^a-z0-9]){token}(?:[^a-z0-9].*)?\.paks?$"

    def matches_image(self, file_name: str) -> bool:
        return re.search(self.firmware_pattern, file_name) is not None

    def firmware_filename(self, build: int, date: str) -> str:
        """A well-formed image name for this model; ``date`` is yymmdd."""
        return f"{self.image_token}.{build}_{date}00.REOLINK{self.image_ext}"

    def firmware_version(self, build: int, date: str) -> str:
        """The version string a device of this model reports for (build, yymmdd)."""
        return f"{self.firmware_prefix}_{date}_{build}"

    def version_of_image(self, file_name: str, sha256: str) -> str:
        """Version a device of this model would run after installing ``file_name``.

        Images without a recognisable build number get a version derived from
        their content hash, so two different files never look the same.
        """
        m = _VERSION_IN_NAME.search(file_name)
        if m:
            return self.firmware_version(int(m.group(1)), m.group(2))
        return f"{self.firmware_prefix}_{sha256[:10]}"

    def supports_channel(self, channel: int) -> bool:
        return 0 <= channel < self.channels


CATALOGUE: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec(
            "Argus 2",
            "battery",
            1,
            "Argus-2",
            "Argus_2",
            battery=True,
            pir=True,
            wifi=True,
            wired=False,
            sd_card=False,
            main_resolution=(1920, 1080),
        ),
        ModelSpec(
            "Argus 3 Pro",
            "battery",
            1,
            "Argus-3-Pro",
            "Argus_3_Pro",
            battery=True,
            pir=True,
            wifi=True,
            wired=False,
            ai=True,
            spotlight=True,
            siren=True,
            main_resolution=(2560, 1440),
        ),
        ModelSpec(
            "Argus PT",
            "battery",
            1,
            "Argus-PT",
            "Argus_PT",
            battery=True,
            pir=True,
            wifi=True,
            wired=False,
            ptz_rotate=True,
            spotlight=True,
            siren=True,
        ),
        ModelSpec(
            "RLC-810A",
            "powered",
            1,
            "RLC-810A",
            "RLC_810A",
            ai=True,
            main_resolution=(3840, 2160),
        ),
        ModelSpec(
            "RLC-823A",
            "powered",
            1,
            "RLC-823A",
            "RLC_823A",
            zoom=True,
            focus=True,
            ptz_rotate=True,
            ai=True,
            spotlight=True,
            siren=True,
            main_resolution=(3840, 2160),
        ),
        ModelSpec(
            "E1 Zoom",
            "powered",
            1,
            "E1-Zoom",
            "E1_Zoom",
            zoom=True,
            focus=True,
            ptz_rotate=True,
            wifi=True,
            wired=False,
            ai=True,
            main_resolution=(2560, 1920),
        ),
        ModelSpec(
            "Reolink Duo 2",
            "powered",
            1,
            "Reolink-Duo-2",
            "Reolink_Duo_2",
            image_ext=".paks",
            wifi=True,
            wired=True,
            ai=True,
            spotlight=True,
            siren=True,
            main_resolution=(4608, 1728),
        ),
        ModelSpec(
            "NVR RLN8-410",
            "powered",
            8,
            "RLN8-410",
            "RLN8_410",
            image_ext=".paks",
            ai=True,
            main_resolution=(3840, 2160),
        ),
    )
}

# Relative share of each model in a generated fleet (battery cameras are common).
MODEL_WEIGHTS: dict[str, int] = {
    "Argus 2": 18,
    "Argus 3 Pro": 18,
    "Argus PT": 12,
    "RLC-810A": 16,
    "RLC-823A": 8,
    "E1 Zoom": 12,
    "Reolink Duo 2": 10,
    "NVR RLN8-410": 6,
}

# Firmware builds each model ships with (build, yymmdd); devices start on one of them.
SHIPPED_BUILDS: dict[str, list[tuple[int, str]]] = {
    "Argus 2": [(751, "200104"), (1102, "220610")],
    "Argus 3 Pro": [(1567, "221012"), (1890, "230301")],
    "Argus PT": [(1320, "220901"), (1706, "230117")],
    "RLC-810A": [(1387, "221108"), (2356, "230515")],
    "RLC-823A": [(1234, "220720"), (2201, "230410")],
    "E1 Zoom": [(1120, "220505"), (1997, "230222")],
    "Reolink Duo 2": [(1801, "221130"), (2143, "230428")],
    "NVR RLN8-410": [(2399, "230214"), (3001, "230630")],
}


def get_model(name: str) -> ModelSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(CATALOGUE)}") from None
