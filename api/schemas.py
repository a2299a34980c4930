"""The rows the API answers, declared once: the JSON rows are validated and serialised
through these models, the CSV columns are their fields in order, and the OpenAPI document
takes its schemas from them (pydantic's JSON Schema)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceRow(Row):
    """A device and its current health (as the last poll or sync read it)."""

    uid: str
    name: str
    model: str
    family: str
    transport: Literal["rop", "lan"] = Field(description="rop: through the Core Server; lan: the LAN JSON API")
    firmware: str
    online: bool
    last_seen: datetime | None
    battery_percent: int | None
    charge_status: str
    alarm_enabled: bool | None
    tags: list[str]


class HealthSampleRow(Row):
    id: int
    device_uid: str
    taken_at: datetime
    online: bool
    battery_percent: int | None
    charge_status: str
    alarm_enabled: bool | None


class FirmwareImageRow(Row):
    id: int
    file_name: str
    version: str
    size: int
    sha256: str
    target_models: list[str]
    push_state: str
    uploaded_to_rop_at: datetime | None
    uploaded_by: str | None
    created_at: datetime


class JobRow(Row):
    id: int
    kind: str
    action: str
    title: str
    state: str
    total: int
    user: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RolloutRow(Row):
    id: int
    job_id: int
    name: str
    image_id: int
    image_file_name: str
    firmware_version: str
    state: str
    total: int
    factory_reset: bool
    waves: list[int]
    current_wave: int
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ResultRow(Row):
    """One device of a job or rollout: where it is and what came of it."""

    id: int
    target_id: int
    target: str = Field(description="How the job page names it (a device: its name)")
    target_code: str = Field(description="Its short code (a device: its UID)")
    state: str
    result: str
    message: str
    attempts: int
    updated_at: datetime


class AlarmRow(Row):
    id: int
    device_uid: str
    device_name: str
    channel: int
    status: str
    ai_types: list[str]
    source: str
    count: int
    received_at: datetime
    last_seen_at: datetime


class AuditRow(Row):
    id: int
    created_at: datetime
    user: str | None
    action: str
    target_type: str
    target_id: int | None
    target_label: str
    params: dict[str, Any]
    result: str
    message: str


class ErrorBody(Row):
    symbol: str = Field(description="Stable, machine-readable: bad_filter, bad_cursor, not_found…")
    message: str


class Error(Row):
    error: ErrorBody


def page_model[R: Row](row: type[R]) -> type[BaseModel]:
    """A JSON page of `row`s: the rows, the cursor of the next page and its link."""
    return type(
        f"{row.__name__.removesuffix('Row')}Page",
        (Row,),
        {
            "__annotations__": {"data": list[row], "cursor": str | None, "next": str | None},  # type: ignore[valid-type]
            "__doc__": "One page; `next` is null on the last one.",
        },
    )
