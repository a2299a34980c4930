"""Each model's row as the API shows it (the fields of api.schemas, in order)."""

from typing import Any

from alarms.models import AlarmEvent
from audit.models import AuditEntry
from devices.models import DeviceHealthSample
from devices.selectors import DeviceRow
from firmware.models import FirmwareImage, Rollout
from jobs import selectors as job_selectors
from jobs.models import Job, JobItem
from jobs.registry import Target, handler_for, known


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def device(d: DeviceRow) -> dict[str, Any]:
    return {
        "uid": d.uid,
        "name": d.display_name,
        "model": d.model,
        "family": d.family,
        "transport": d.transport,
        "firmware": d.firmware_version,
        "online": d.online,
        "last_seen": d.last_seen,
        "battery_percent": d.battery_percent,
        "charge_status": d.charge_status,
        "alarm_enabled": d.alarm_enabled,
        "tags": d.tag_names,  # read with the page's rows (devices.selectors.device_page)
    }


def health_sample(s: DeviceHealthSample) -> dict[str, Any]:
    return {
        "id": s.id,
        "device_uid": s.device.uid,
        "taken_at": s.taken_at,
        "online": s.online,
        "battery_percent": s.battery_percent,
        "charge_status": s.charge_status,
        "alarm_enabled": s.alarm_enabled,
    }


def firmware_image(i: FirmwareImage) -> dict[str, Any]:
    return {
        "id": i.id,
        "file_name": i.file_name,
        "version": i.version,
        "size": i.size,
        "sha256": i.sha256,
        "target_models": [str(m) for m in i.target_models],
        "push_state": i.push_state,
        "uploaded_to_rop_at": i.uploaded_to_rop_at,
        "uploaded_by": _name(i.uploaded_by),
        "created_at": i.created_at,
    }


def job(j: Job) -> dict[str, Any]:
    return {
        "id": j.id,
        "kind": j.kind,
        "action": j.action,
        "title": job_selectors.title(j),
        "state": j.state,
        "total": j.total,
        "user": _name(j.user),
        "created_at": j.created_at,
        "started_at": j.started_at,
        "finished_at": j.finished_at,
    }


def rollout(r: Rollout) -> dict[str, Any]:
    return {
        "id": r.id,
        "job_id": r.job_id,
        "name": r.name,
        "image_id": r.image_id,
        "image_file_name": r.image.file_name,
        "firmware_version": r.image.version,
        "state": r.job.state,
        "total": r.job.total,
        "factory_reset": r.factory_reset,
        "waves": [int(w) for w in r.waves],
        "current_wave": r.current_wave,
        "created_by": _name(r.created_by),
        "created_at": r.created_at,
        "started_at": r.job.started_at,
        "finished_at": r.job.finished_at,
    }


def results(j: Job, items: list[JobItem]) -> list[dict[str, Any]]:
    """A batch of a job's items, their targets named by the job's kind in one read."""
    handler = handler_for(j.kind) if known(j.kind) else None
    targets = handler.targets(j, [i.target_id for i in items]) if handler else {}
    missing = Target(label="")
    return [
        {
            "id": i.id,
            "target_id": i.target_id,
            "target": targets.get(i.target_id, missing).label or f"#{i.target_id}",
            "target_code": targets.get(i.target_id, missing).code,
            "state": i.state,
            "result": i.result,
            "message": i.message,
            "attempts": i.attempts,
            "updated_at": i.updated_at,
        }
        for i in items
    ]


def alarm(a: AlarmEvent) -> dict[str, Any]:
    return {
        "id": a.id,
        "device_uid": a.device_uid,
        "device_name": a.device.display_name if a.device else "",
        "channel": a.channel,
        "status": a.status,
        "ai_types": [str(t) for t in a.ai_types],
        "source": a.source,
        "count": a.count,
        "received_at": a.received_at,
        "last_seen_at": a.last_seen_at,
    }


def audit_entry(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "created_at": e.created_at,
        "user": _name(e.user),
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "target_label": e.target_label,
        "params": e.params if isinstance(e.params, dict) else {"value": e.params},
        "result": e.result,
        "message": e.message,
    }
