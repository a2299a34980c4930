"""The API's lists. Each reuses its console list's filter form and selector, so a filter
means the same rows on the page, in its JSON and in its CSV."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from alarms import selectors as alarm_selectors
from alarms.filters import AlarmFilterForm
from alarms.filters import filter_values as alarm_filter_values
from audit.forms import AuditFilterForm
from audit.selectors import filtered_entries
from devices import selectors as device_selectors
from devices.filters import DEFAULT_SORT, DeviceFilterForm, Sort, decode_cursor, encode_cursor, filter_values
from firmware import selectors as firmware_selectors
from firmware.models import Rollout
from firmware.rollout import selectors as rollout_selectors
from jobs import selectors as job_selectors
from jobs.models import Job, JobItem

from .. import rows, schemas
from ..endpoints import Call, Endpoint, endpoint
from ..errors import ApiError
from ..forms import HealthFilterForm, NoFilters, ResultFilterForm
from ..paging import RowsOf, csv_response, id_batches, id_json_page, json_page
from ..selectors import device_export_rows, health_samples


def _each[M](convert: Callable[[M], dict[str, Any]]) -> RowsOf[M]:
    return lambda objects: [convert(o) for o in objects]


@endpoint(
    "devices",
    "devices",
    "Devices with their current health",
    schemas.DeviceRow,
    DeviceFilterForm,
    paging_fields=("after",),
    description="The device list's filters and sorts; health is what the last poll or sync read.",
)
def devices(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    partner = call.access.partner
    sort = call.filters.get("sort") or Sort.parse(DEFAULT_SORT)
    filters = filter_values(call.filters)
    if call.csv:
        qs = device_selectors.filtered_devices(partner, filters)
        return csv_response(ep.name, partner.slug, ep.row, device_export_rows(qs, sort))
    try:
        after = decode_cursor(call.cursor, sort) if call.cursor else None
    except ValueError as exc:
        raise ApiError(400, "bad_cursor", "This cursor is not one this list (and sort) gave.") from exc
    found, last_key = device_selectors.list_page(partner, filters, sort, after, size=call.limit)
    cursor = encode_cursor(sort, last_key) if last_key else None
    return json_page(request, ep.page, [rows.device(d) for d in found], cursor)


def _id_list[M: Model](
    request: HttpRequest, call: Call, ep: Endpoint, qs: QuerySet[M], rows_of: RowsOf[M], newest_first: bool = True
) -> HttpResponseBase:
    if call.csv:
        return csv_response(
            ep.name, call.access.partner.slug, ep.row, id_batches(qs, rows_of, newest_first=newest_first)
        )
    return id_json_page(request, ep.page, qs, rows_of, call.limit, call.cursor, newest_first=newest_first)


@endpoint(
    "health_samples",
    "health-samples",
    "Devices' health samples, newest first",
    schemas.HealthSampleRow,
    HealthFilterForm,
)
def health(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    qs = health_samples(call.access.partner, call.filters)
    return _id_list(request, call, ep, qs, _each(rows.health_sample))


@endpoint("firmware", "firmware", "The firmware library, newest first", schemas.FirmwareImageRow, NoFilters)
def firmware(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    qs = firmware_selectors.library(call.access.partner).order_by()
    return _id_list(request, call, ep, qs, _each(rows.firmware_image))


@endpoint("jobs", "jobs", "Bulk jobs and other jobs, newest first", schemas.JobRow, NoFilters)
def jobs(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    return _id_list(request, call, ep, job_selectors.partner_jobs(call.access.partner), _each(rows.job))


def _results(request: HttpRequest, call: Call, ep: Endpoint, job: Job) -> HttpResponseBase:
    result = call.filters.get("result", "")
    show = job_selectors.valid_filter(job, result)
    if result and not show:
        raise ApiError(400, "bad_filter", f"Result: {result!r} is not a state or result of this job.")

    def rows_of(items: list[JobItem]) -> list[dict[str, Any]]:
        return rows.results(job, items)

    return _id_list(request, call, ep, job_selectors.job_items(job, show), rows_of, newest_first=False)


@endpoint(
    "job_results", "jobs/<int:job_id>/results", "A job's devices and their results", schemas.ResultRow, ResultFilterForm
)
def job_results(request: HttpRequest, call: Call, ep: Endpoint, job_id: int) -> HttpResponseBase:
    job = get_object_or_404(Job, partner=call.access.partner, id=job_id)
    return _results(request, call, ep, job)


@endpoint("rollouts", "rollouts", "Firmware rollouts, newest first", schemas.RolloutRow, NoFilters)
def rollouts(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    qs = rollout_selectors.partner_rollouts(call.access.partner)
    return _id_list(request, call, ep, qs, _each(rows.rollout))


@endpoint(
    "rollout_results",
    "rollouts/<int:rollout_id>/results",
    "A rollout's devices and their results",
    schemas.ResultRow,
    ResultFilterForm,
)
def rollout_results(request: HttpRequest, call: Call, ep: Endpoint, rollout_id: int) -> HttpResponseBase:
    rollout = get_object_or_404(Rollout.objects.select_related("job"), partner=call.access.partner, id=rollout_id)
    return _results(request, call, ep, rollout.job)


@endpoint(
    "alarms",
    "alarms",
    "Alarm events, newest first",
    schemas.AlarmRow,
    AlarmFilterForm,
    paging_fields=("after", "since"),
    description="The alarm feed's filters.",
)
def alarms(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    qs = alarm_selectors.filtered_alarms(call.access.partner, alarm_filter_values(call.filters))
    return _id_list(request, call, ep, qs, _each(rows.alarm))


@endpoint(
    "audit",
    "audit",
    "The audit log, newest first",
    schemas.AuditRow,
    AuditFilterForm,
    paging_fields=("before",),
    description="The audit page's filters.",
)
def audit(request: HttpRequest, call: Call, ep: Endpoint) -> HttpResponseBase:
    return _id_list(request, call, ep, filtered_entries(call.access.partner, call.filters), _each(rows.audit_entry))
