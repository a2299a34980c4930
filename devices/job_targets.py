"""How a job's page names and links its devices (jobs.registry.Handler.targets), for
every kind of job over devices: bulk actions, rollouts, recordings searches."""

from collections.abc import Iterable

from django.urls import reverse

from jobs.models import Job
from jobs.registry import Target

from .models import UID_RE, Device

_PLACEHOLDER = "0" * 16  # a valid uid, replaced by each row's own


def device_targets(job: Job, target_ids: Iterable[int]) -> dict[int, Target]:
    pattern = reverse("device_detail", kwargs={"slug": job.partner.slug, "uid": _PLACEHOLDER})
    rows = Device.objects.filter(partner_id=job.partner_id, id__in=list(target_ids)).values_list(
        "id", "uid", "display_name"
    )
    return {
        id_: Target(
            label=name or "(no name)",
            code=uid,
            # A row stored before sync skipped odd uids has no page to link to.
            url=pattern.replace(_PLACEHOLDER, uid) if UID_RE.fullmatch(uid) else "",
        )
        for id_, uid, name in rows
    }
