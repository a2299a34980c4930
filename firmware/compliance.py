"""The compliance page's reads: per model, the newest image the library has for it
and how many of the fleet's devices of that model do not run it yet."""

import re
from dataclasses import dataclass

from django.db.models import Count

from devices.models import Device
from partners.models import Partner

from .models import FirmwareImage
from .rollout.targeting import runs_version

_BUILD = re.compile(r"(\d{6})_(\d+)$")


def newness(image: FirmwareImage) -> tuple[str, int, float]:
    """Sort key: the build date and number its version ends with, then the upload time."""
    match = _BUILD.search(image.version or "")
    date, build = (match.group(1), int(match.group(2))) if match else ("", 0)
    return date, build, image.created_at.timestamp()


@dataclass
class ModelRow:
    model: str
    image: FirmwareImage
    devices: int
    behind: int


def compliance(partner: Partner) -> list[ModelRow]:
    newest: dict[str, FirmwareImage] = {}
    for image in FirmwareImage.objects.filter(partner=partner).exclude(target_models=[]):
        for model in image.target_models:
            if model not in newest or newness(image) > newness(newest[model]):
                newest[model] = image
    counts = (
        Device.objects.filter(partner=partner, model__in=list(newest))
        .values_list("model", "firmware_version")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = {model: ModelRow(model, image, 0, 0) for model, image in newest.items()}
    for model, version, n in counts:
        row = rows[model]
        row.devices += n
        if not runs_version(version, row.image.version):
            row.behind += n
    return sorted(rows.values(), key=lambda row: (-row.behind, row.model))
