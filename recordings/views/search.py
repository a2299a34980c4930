"""Fleet-wide recording search: the form (GET) and starting one (POST, operators),
and a search's page, whose results partial htmx polls while devices are still being
asked (hits merged by time, each device's problem beside them)."""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from core.form_messages import error_lines
from core.http import CHANGE_METHODS, HtmxHttpRequest, redirect_to
from devices import selection
from devices.filters import DeviceFilterForm, filter_values
from devices.models import Tag
from devices.selectors import filter_suggestions
from partners.access import get_access, get_object_for
from partners.models import Role
from partners.session import remember_partner

from .. import search as searching
from .. import selectors
from ..forms import SearchForm
from ..models import RecordingSearch

TEMPLATE = "recordings/search.html"
DETAIL = "recordings/search_detail.html"
# How often a search page asks for what arrived.
POLL_SECONDS = 1


def _today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def _scope(filters: dict[str, Any], selected: int) -> str:
    if selected:
        return f"{selected} selected device{'s' if selected != 1 else ''}"
    if not filters:
        return "every device"
    return ", ".join(f"{name}: {value}" for name, value in filters.items())


@login_required
def search_collection(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the search form and recent searches; POST: start one (operators)."""
    if request.method == "POST":
        return search_start(request, slug)
    access = get_access(request, slug)
    remember_partner(request, slug)
    form = SearchForm(initial={"day": _today(), "start": "00:00:00", "end": "23:59:59"}, today=_today())
    return _form_page(request, access, form, DeviceFilterForm(request.GET), request.GET.getlist("device"))


def _form_page(
    request: HtmxHttpRequest,
    access: Any,
    form: SearchForm,
    filters: DeviceFilterForm,
    selected: list[str],
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "filters": filters,
        "selected": selected,
        "errors": errors or [],
        "searches": selectors.recent(access.partner),
        "suggestions": filter_suggestions(access.partner),
        "tags": list(Tag.objects.filter(partner=access.partner).values_list("name", flat=True)),
    }
    return render(request, TEMPLATE, context, status=status)


def search_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, methods=CHANGE_METHODS)
    form = SearchForm(request.POST, today=_today())
    filters = DeviceFilterForm(request.POST)
    selected = request.POST.getlist("device")
    errors: list[str] = []
    if form.is_valid() and filters.is_valid():
        values = filter_values(filters.cleaned_data)
        try:
            if selected:
                ids = selection.resolve(access.partner, uids=selection.parse_uids(selected))
            else:
                ids = selection.resolve(access.partner, filters=values, sort=filters.cleaned_data["sort"])
        except (selection.TooManyDevices, selection.InvalidSelection) as exc:
            errors.append(str(exc))
        else:
            if ids:
                data = form.cleaned_data
                search = searching.start_search(
                    access.partner,
                    request.user,
                    ids,
                    day=data["day"],
                    start=data["start"],
                    end=data["end"],
                    stream=data["stream"],
                    wake_battery=data["wake_battery"],
                    scope=_scope(values, len(ids) if selected else 0),
                )
                url = reverse("recording_search", kwargs={"slug": slug, "search_id": search.id})
                return redirect_to(request, url)
            errors.append("No devices match; nothing was searched.")
    errors = error_lines(form) + error_lines(filters) + errors
    return _form_page(request, access, form, filters, selected, errors, status=400)


@login_required
@vary_on_headers("HX-Request")
def search_detail(request: HtmxHttpRequest, slug: str, search_id: int) -> HttpResponse:
    access, search = get_object_for(
        request, slug, RecordingSearch.objects.select_related("job", "partner"), id=search_id
    )
    hits, more = selectors.hits(search)
    progress = selectors.progress(search)
    context = {
        "search": search,
        "hits": hits,
        "more_hits": more,
        "progress": progress,
        "problems": selectors.problems(search),
        "poll_seconds": POLL_SECONDS,
    }
    polling = bool(request.htmx) and request.GET.get("part") == "results"
    return render(request, f"{DETAIL}#results" if polling else DETAIL, context)
