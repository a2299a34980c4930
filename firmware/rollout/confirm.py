"""After a rollout's devices upgraded: the new firmware confirmed from the Core
Server's online list, one request for the whole fleet rather than one per device.
A device that reports the image's version is confirmed, and the console's copy of its
firmware is brought up to date at once (the device list and the next rollout's
"already on this version" see it without waiting for the next poll). A device that is
not in the list (still rebooting, asleep) stays unconfirmed; the poller reads it later."""

import logging
from dataclasses import dataclass

from core.request_budget import BudgetTimeout
from devices.models import Device
from jobs.models import ItemState, JobItem
from partners.rop_clients import rop_client_for
from rop import errors as rop_errors

from ..models import Rollout, RolloutResult
from .targeting import runs_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmation:
    confirmed: int = 0
    other_version: int = 0  # in the list, reporting another version
    unread: bool = False  # the list could not be read


def confirm_versions(rollout: Rollout) -> Confirmation:
    """Read the online list once; mark the upgraded devices that report the image's version."""
    upgraded = JobItem.objects.filter(job_id=rollout.job_id, state=ItemState.DONE, result=RolloutResult.SUCCEEDED)
    # Filtered here: a negated JSON lookup would also drop items without the key (NULL in SQL).
    items = [item for item in upgraded.only("id", "target_id", "data") if not (item.data or {}).get("confirmed")]
    if not items:
        return Confirmation()
    try:
        with rop_client_for(rollout.partner) as client:
            reported = {online.uid: online.firmware for online in client.list_online_devices()}
    except (rop_errors.RopError, BudgetTimeout) as exc:
        log.info("rollout %s: online list unreadable, versions not confirmed: %r", rollout.id, exc)
        return Confirmation(unread=True)
    uids = dict(
        Device.objects.filter(partner_id=rollout.partner_id, id__in=[i.target_id for i in items]).values_list(
            "id", "uid"
        )
    )
    confirmed, other, versions = [], 0, {}
    for item in items:
        version = reported.get(uids.get(item.target_id, ""))
        if version is None:
            continue
        if runs_version(version, rollout.image.version):
            item.data = {**(item.data or {}), "confirmed": True}
            confirmed.append(item)
            versions[item.target_id] = version
        else:
            other += 1
    JobItem.objects.bulk_update(confirmed, ["data"], batch_size=1000)
    for version in set(versions.values()):
        ids = [device_id for device_id, v in versions.items() if v == version]
        Device.objects.filter(id__in=ids).update(firmware_version=version)
    return Confirmation(confirmed=len(confirmed), other_version=other)
