"""Reads for the firmware library."""

from django.db.models import Exists, OuterRef, QuerySet

from devices.capabilities import KNOWN_MODELS
from devices.models import Device
from jobs.models import UNFINISHED_JOB_STATES
from partners.models import Partner

from .models import FirmwareImage, Rollout


def library(partner: Partner) -> QuerySet[FirmwareImage]:
    """The partner's images, newest first, each with ``in_use`` (an unfinished rollout uses it)."""
    unfinished = Rollout.objects.filter(image=OuterRef("pk"), job__state__in=UNFINISHED_JOB_STATES)
    return (
        FirmwareImage.objects.filter(partner=partner)
        .select_related("uploaded_by")
        .annotate(in_use=Exists(unfinished))
        .order_by("-created_at", "-id")
    )


def unfinished_rollouts(image: FirmwareImage) -> QuerySet[Rollout]:
    return Rollout.objects.filter(image=image, job__state__in=UNFINISHED_JOB_STATES).order_by("-id")


def same_name(partner: Partner, file_name: str) -> FirmwareImage | None:
    return FirmwareImage.objects.filter(partner=partner, file_name=file_name).first()


def same_content(partner: Partner, sha256: str) -> FirmwareImage | None:
    return FirmwareImage.objects.filter(partner=partner, sha256=sha256).first()


def known_models(partner: Partner) -> list[str]:
    """Models an image name may mention: the partner's fleet and the Reolink catalogue."""
    fleet = Device.objects.filter(partner=partner).exclude(model="").values_list("model", flat=True).distinct()
    return sorted(set(fleet) | set(KNOWN_MODELS))
