"""Rollout pages: the list, creating one (with a preview of its devices), a rollout's
page with live progress, its controls, and the compliance page that opens one.
Operators change, viewers read."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from core.http import FORM_METHODS, HtmxHttpRequest, redirect_to
from core.querystring import MAX_ID, int_param
from devices import selection
from devices.filters import DeviceFilterForm, filter_values
from jobs.pages import control, keyset_list, progress_request, progress_template
from partners.access import Access, get_access, get_object_for
from partners.models import Role

from .compliance import compliance
from .models import FirmwareImage, Rollout
from .rollout import selectors, services
from .rollout.targeting import Preview, preview
from .rollout_forms import RolloutForm
from .services import Refused


@login_required
@vary_on_headers("HX-Request")
def rollout_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    return keyset_list(
        request,
        "firmware/rollouts.html",
        "rollout_rows",
        lambda after: selectors.rollouts_page(access.partner, after),
        "rollouts",
        access=access,
    )


@login_required
@vary_on_headers("HX-Request")
def rollout_new(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the form, filled from the query (an image, the device list's filters or a
    selection) with its preview; POST: start the rollout."""
    access = get_access(request, slug, Role.OPERATOR, FORM_METHODS)
    data = request.POST if request.method == "POST" else request.GET
    filters = DeviceFilterForm(data)
    if request.method == "POST":
        form = RolloutForm(data, partner=access.partner)
        if form.is_valid() and filters.is_valid():
            targets = _preview(access, form.cleaned_data["image"], filters, form.cleaned_data["device"]).target_ids
            try:
                if len(targets) > selection.MAX_DEVICES:
                    raise Refused(str(selection.TooManyDevices(selection.MAX_DEVICES)))
                rollout = services.create_rollout(
                    access.partner, request.user, form.cleaned_data["image"], targets, form.plan()
                )
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Started “{rollout.name}” on {len(targets):,} devices.")
                url = reverse("rollout_detail", kwargs={"slug": slug, "rollout_id": rollout.id})
                return redirect_to(request, url)
    else:
        form = RolloutForm(partner=access.partner, initial=_initial(access, data))
    image = _chosen_image(access, data)
    devices = _selected_ids(data)
    chosen = _preview(access, image, filters, devices) if image is not None and filters.is_valid() else None
    context = {
        "form": form,
        "filters": filters,
        "preview": chosen,
        "image": image,
        "selected": devices,
        "access": access,
    }
    template = "firmware/rollout_new.html"
    if request.htmx and request.GET.get("part") == "preview":
        template += "#preview"
    return render(request, template, context)


def _chosen_image(access: Access, data: QueryDict) -> FirmwareImage | None:
    image_id = int_param(data, "image", None, min_value=1, max_value=MAX_ID)
    return FirmwareImage.objects.filter(partner=access.partner, id=image_id).first() if image_id else None


def _selected_ids(data: QueryDict) -> list[int]:
    """The selection the form opens on, as the form reads it; too large opens on none
    (posting it says why)."""
    try:
        return selection.parse_ids(data.getlist("device"), drop_invalid=True)
    except selection.TooManyDevices:
        return []


def _initial(access: Access, data: QueryDict) -> dict[str, Any]:
    image = _chosen_image(access, data)
    initial: dict[str, Any] = {"device": _selected_ids(data)}
    if image is not None:
        initial.update(image=image, name=f"{image.version or image.file_name}"[:100])
    return initial


def _preview(access: Access, image: FirmwareImage, filters: DeviceFilterForm, device_ids: list[int]) -> Preview:
    if device_ids:
        return preview(image, selection.chosen_devices(access.partner, device_ids=device_ids))
    return preview(image, selection.chosen_devices(access.partner, filters=filter_values(filters.cleaned_data)))


@login_required
@vary_on_headers("HX-Request")
def rollout_detail(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    access, rollout = get_object_for(
        request, slug, Rollout.objects.select_related("job", "image", "created_by"), id=rollout_id
    )
    asked = progress_request(request)
    show = selectors.valid_filter(rollout, asked.result)
    after = asked.after
    state = selectors.rollout_progress(rollout)
    rows, next_after = selectors.device_rows(rollout, show, after)
    context = {
        "rollout": rollout,
        "job": rollout.job,
        "state": state,
        "progress": state.progress,
        "can_control": access.can_operate,
        "result": show,
        "rows": rows,
        "next_query": urlencode({**({"result": show} if show else {}), "after": next_after}) if next_after else "",
        "after": after,
        "wave_number": rollout.current_wave + 1,
        "more_waves": rollout.current_wave + 1 < len(rollout.waves),
    }
    template = progress_template(
        request, asked, "firmware/rollout.html", context, rows="device_rows", section="devices"
    )
    return render(request, template, context)


def _control(
    request: HtmxHttpRequest, slug: str, rollout_id: int, change: Callable[[Rollout, Any], Any], done: str, no: str
) -> HttpResponse:
    def url(rollout: Rollout) -> str:
        return reverse("rollout_detail", kwargs={"slug": slug, "rollout_id": rollout.id})

    return control(request, slug, Rollout.objects.select_related("job", "partner"), rollout_id, change, (done, no), url)


@login_required
def rollout_pause(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        rollout_id,
        services.pause,
        "Paused: devices upgrading now finish.",
        "Only a running rollout can be paused.",
    )


@login_required
def rollout_resume(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    return _control(request, slug, rollout_id, services.resume, "Resumed.", "Only a paused rollout can be resumed.")


@login_required
def rollout_cancel(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        rollout_id,
        services.cancel,
        "Cancelled: no more devices start. Devices already upgrading cannot be stopped: they finish,"
        " and their outcome is recorded on this page.",
        "This rollout has already ended.",
    )


@login_required
def rollout_next_wave(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        rollout_id,
        lambda rollout, user: (services.next_wave(rollout, user) or -1) + 1,
        "Wave {outcome} started.",
        "There is no next wave, or the rollout has ended.",
    )


@login_required
def rollout_retry(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        rollout_id,
        services.retry_failed,
        "Trying the {outcome} failed devices again.",
        "No failed device to try again (or the rollout was cancelled).",
    )


@login_required
def rollout_roll_back(request: HtmxHttpRequest, slug: str, rollout_id: int) -> HttpResponse:
    def roll_back(rollout: Rollout, user: Any) -> str:
        outcome = services.roll_back(rollout, user)
        if not outcome.rollouts:
            return ""
        missing = (
            f" {outcome.missing} devices were left: their previous image is not in the library."
            if outcome.missing
            else ""
        )
        return f"{len(outcome.rollouts)} roll-back rollout(s) started.{missing}"

    return _control(
        request,
        slug,
        rollout_id,
        roll_back,
        "{outcome}",
        "Nothing to roll back: no upgraded device's previous image is in the library.",
    )


@login_required
def firmware_compliance(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    return render(request, "firmware/compliance.html", {"rows": compliance(access.partner), "access": access})
