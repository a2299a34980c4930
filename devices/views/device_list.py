"""The device list: one view for the page, its htmx partials and the CSV export."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.form_messages import error_lines
from core.http import HtmxHttpRequest, wants_partial
from jobs import selectors as job_selectors
from partners.access import Access, get_access

from .. import bulk, selectors
from ..csv_export import csv_response
from ..filters import DEFAULT_SORT, Cursor, DeviceFilterForm, Sort, encode_cursor, filter_query, filter_values
from ..list_row_html import rows_html
from ..list_rows import ListRow, list_rows

# (sort name or None, heading) in table order: what a fleet manager scans first, all
# of it on screen at 1,400 px (devices/list_row_html.py writes the cells; the name's
# cell holds the UID beneath it, sorted by the heading's second link).
COLUMNS = [
    ("name", "Name"),
    (None, "Status"),
    ("battery", "Battery"),
    (None, "Alarms"),
    ("last_seen", "Last seen"),
    ("model", "Model"),
    ("firmware", "Firmware"),
    (None, "Tags"),
]
UID_COLUMN = ("uid", "UID")


@login_required
@vary_on_headers("HX-Request")
def device_list(request: HtmxHttpRequest, slug: str) -> HttpResponseBase:
    access = get_access(request, slug)
    form = DeviceFilterForm(request.GET)
    valid = form.is_valid()
    output = request.GET.get("format", "")
    if output not in ("", "html", "csv"):
        return HttpResponse("Unknown format: use format=csv.", status=400, content_type="text/plain")
    if output == "csv":
        if not valid:
            return HttpResponse("\n".join(error_lines(form)), status=400, content_type="text/plain")
        return csv_response(access.partner, form.cleaned_data)

    partial = wants_partial(request)
    context = list_context(access, form, valid, whole_page=not partial)
    template = "devices/device_list.html"
    if partial:
        # "More devices" appends rows; anything else (filter, sort) replaces the table
        # and updates the figures outside it out of band.
        template += "#rows" if context["after"] else "#table"
        context["oob"] = True
    return render(request, template, context)


@login_required
def recent_bulk_jobs(request: HtmxHttpRequest, slug: str) -> HttpResponseBase:
    """The list's "Recent bulk actions", read when someone opens them: the page itself
    does not pay a query for a section that is closed on most visits."""
    access = get_access(request, slug)
    jobs = job_selectors.recent_jobs(access.partner, kind=bulk.KIND)
    return render(request, "devices/device_list.html#recent_jobs", {"partner": access.partner, "recent_jobs": jobs})


def list_context(access: Access, form: forms.Form, valid: bool, *, whole_page: bool = True) -> dict[str, Any]:
    """`whole_page`: the filter form's suggestions are wanted too (the htmx partials,
    the table or more rows, leave the form as it is)."""
    cleaned = form.cleaned_data if valid else {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    sort = cleaned.get("sort") or Sort.parse(DEFAULT_SORT)
    after = cleaned.get("after") if valid else None
    rows: list[ListRow] = []
    last_key: Cursor | None = None
    count: int | None = None
    suggestions: dict[str, list[str]] | None = None
    if valid:
        devices, last_key = selectors.list_page(access.partner, cleaned, sort, after)
        qs = selectors.filtered_devices(access.partner, cleaned)  # for the count
        rows = list_rows(devices, access.partner.slug)
        # Shown once per filter (not per page), counted no further than the cap, and
        # reused for a minute (selectors.cached_count); read with the suggestions.
        if whole_page:
            count, suggestions = selectors.list_figures(access.partner, filter_values(cleaned), qs, count=not after)
        elif not after:
            count = selectors.cached_count(access.partner, filter_values(cleaned), qs)
    if whole_page and suggestions is None:  # a wrong filter still gets the form's suggestions
        suggestions = selectors.filter_suggestions(access.partner)
    sort_param = "" if str(sort) == DEFAULT_SORT else str(sort)
    return {
        "form": form,
        "errors": error_lines(form),
        "rows": rows,
        "rows_html": rows_html(rows, access.can_operate),
        "after": after,
        "count": count,
        "count_label": _count_label(count),
        "sort": sort,
        "sort_param": sort_param,
        "columns": _columns(cleaned, sort),
        # What "all matching" re-reads when a bulk action is submitted.
        "bulk_filter_query": filter_query(cleaned, sort=sort_param),
        "csv_query": filter_query(cleaned, sort=sort_param, format="csv"),
        "next_query": filter_query(cleaned, sort=sort_param, after=encode_cursor(sort, last_key)) if last_key else "",
        "suggestions": suggestions or {},
        "colspan": len(COLUMNS) + (1 if access.can_operate else 0),
        "chips": _chips(form, cleaned, sort_param),
    }


def _chips(form: forms.Form, cleaned: dict[str, Any], sort_param: str) -> list[dict[str, str]]:
    """The filters that are on, each as "Label: value" with the list's link without it."""
    chips = []
    for name, value in filter_values(cleaned).items():
        field = form.fields[name]
        shown = str(value)
        if isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        without = {k: v for k, v in cleaned.items() if k != name}
        chips.append(
            {"name": name, "label": str(field.label), "value": shown, "query": filter_query(without, sort=sort_param)}
        )
    return chips


def _count_label(count: int | None) -> str:
    if count is None:
        return ""
    return f"{selectors.MATCH_COUNT_CAP:,}+" if count > selectors.MATCH_COUNT_CAP else f"{count:,}"


def _columns(cleaned: dict[str, Any], sort: Sort) -> list[dict[str, Any]]:
    columns = [_column(cleaned, sort, name, label) for name, label in COLUMNS]
    columns[0]["also"] = _column(cleaned, sort, *UID_COLUMN)  # the UID beneath the name
    return columns


def _column(cleaned: dict[str, Any], sort: Sort, name: str | None, label: str) -> dict[str, Any]:
    column: dict[str, Any] = {"label": label, "name": name}
    if name:
        active = sort.name == name
        column["active"] = active
        column["desc"] = active and sort.desc
        # A click on the current column flips its direction; others start ascending.
        column["query"] = filter_query(cleaned, sort=f"-{name}" if active and not sort.desc else name)
    return column
