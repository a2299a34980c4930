"""What a device can do, for deciding which controls the device page offers.

The sync engine stores what it learnt in Device.capabilities. Until it has, the
model name tells us for the Reolink models we know; for any other model we do not
know, and the page shows the control anyway and lets the device answer
cmd_not_support (shown as "This device does not support that.").
"""

from dataclasses import dataclass

from .models import Device

# Names other parts of the console may store for the same thing.
_ALIASES = {"ptz_rotate": "ptz", "rotate": "ptz", "pan_tilt": "ptz", "ethernet": "wired", "lan": "wired"}

# Reolink models and their abilities that matter to ROP's optional functions.
# "wired": the camera has a network cable port (so a WiFi test or a wrong WiFi
# key cannot cut it off). "pir": a PIR motion sensor (Reolink's battery cameras);
# the others answer PIR calls with cmd_not_support.
KNOWN_MODELS: dict[str, frozenset[str]] = {
    "Argus 2": frozenset({"battery", "wifi", "pir"}),
    "Argus 3 Pro": frozenset({"battery", "wifi", "pir"}),
    "Argus PT": frozenset({"battery", "wifi", "ptz", "pir"}),
    "RLC-810A": frozenset({"wired", "sd_card"}),
    "RLC-823A": frozenset({"wired", "zoom", "focus", "ptz", "sd_card"}),
    "E1 Zoom": frozenset({"wifi", "zoom", "focus", "ptz", "sd_card"}),
    "Reolink Duo 2": frozenset({"wifi", "wired", "sd_card"}),
    "NVR RLN8-410": frozenset({"wired", "sd_card"}),
}


@dataclass(frozen=True)
class Abilities:
    """known=False: neither stored nor derivable; every control is offered."""

    names: frozenset[str]
    known: bool

    def can(self, name: str) -> bool:
        return name in self.names or not self.known

    @property
    def zoom(self) -> bool:
        return self.can("zoom")

    @property
    def focus(self) -> bool:
        return self.can("focus")

    @property
    def ptz(self) -> bool:
        return self.can("ptz")

    @property
    def any_ptz(self) -> bool:
        return self.zoom or self.focus or self.ptz

    @property
    def pir(self) -> bool:
        return self.can("pir")

    @property
    def wifi(self) -> bool:
        return self.can("wifi")

    @property
    def wifi_only(self) -> bool:
        # Unless we know the device has a cable, assume it has none: the warnings
        # then err on the side that does not strand a camera.
        return self.wifi and "wired" not in self.names


# Abilities that ROP's optional functions need; "battery" and "wired" say nothing about them.
OPTIONAL = frozenset({"zoom", "focus", "ptz", "wifi", "sd_card", "pir"})


def derived_capabilities(family: str, model: str) -> list[str]:
    """What a family and model tell us (sync stores this); an unknown model, only the family's."""
    names = set(KNOWN_MODELS.get(model, ()))
    if family == "battery":
        names.add("battery")
    return sorted(names)


def abilities_of(device: Device) -> Abilities:
    # What was stored (by sync or another source) plus what the catalogue says.
    names = {_ALIASES.get(str(name), str(name)) for name in (device.capabilities or [])}
    names |= set(derived_capabilities(device.family, device.model))
    if device.model in KNOWN_MODELS:
        return Abilities(frozenset(names), True)
    # An unknown model whose stored list names no optional ability (sync stores only
    # the family for those) is unknown: offer everything.
    return Abilities(frozenset(names), bool(names & OPTIONAL))
