"""Which devices a rollout takes, and why the others are left out."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from devices.models import Device, Transport

from ..models import FirmwareImage

INCOMPATIBLE = "incompatible"
SAME_VERSION = "same_version"
NOT_ROP = "not_rop"
REASONS = {
    INCOMPATIBLE: "Incompatible model",
    SAME_VERSION: "Already on this version",
    NOT_ROP: "Reached over its LAN, not through ROP",
}
# Excluded devices a preview lists by name (the counts cover them all).
PREVIEW_ROWS = 50


def runs_version(device_version: str, image_version: str) -> bool:
    """Does a device reporting `device_version` run the image's version? The library
    holds either the whole version ("RLC_810A_230515_2356") or its "yymmdd_build" end."""
    if not device_version or not image_version:
        return False
    return device_version == image_version or device_version.endswith(f"_{image_version}")


def exclusion(image: FirmwareImage, device: Device) -> str | None:
    """Why the rollout of this image leaves the device out, or None."""
    if device.transport != Transport.ROP:
        return NOT_ROP
    if image.target_models and device.model not in image.target_models:
        return INCOMPATIBLE
    if runs_version(device.firmware_version, image.version):
        return SAME_VERSION
    return None


@dataclass
class Preview:
    target_ids: list[int] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> how many
    examples: list[tuple[Device, str]] = field(default_factory=list)  # the first excluded, with reasons

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    def reasons(self) -> list[tuple[str, int]]:
        return [(REASONS[key], count) for key, count in self.excluded.items() if count]


def preview(image: FirmwareImage, devices: QuerySet[Device]) -> Preview:
    """Split the chosen devices into targets (by id) and excluded ones, with reasons."""
    result = Preview()
    rows = devices.filter(partner_id=image.partner_id).only(
        "id", "uid", "display_name", "model", "firmware_version", "transport"
    )
    for device in rows.order_by("id").iterator(chunk_size=2000):
        reason = exclusion(image, device)
        if reason is None:
            result.target_ids.append(device.id)
            continue
        result.excluded[reason] = result.excluded.get(reason, 0) + 1
        if len(result.examples) < PREVIEW_ROWS:
            result.examples.append((device, REASONS[reason]))
    return result
