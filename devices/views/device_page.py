"""The device page: identity and health from the database (no ROP call on the way),
and the alarm, PIR and name controls. Media, PTZ and WiFi live in their own modules."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, HtmxHttpRequest
from partners.models import Role
from partners.session import remember_partner

from .. import actions
from ..battery_chart import battery_chart
from ..device_forms import AlarmForm, PirForm, RenameForm, StreamForm, WifiForm
from ..device_reads import interactive_driver
from .device_scope import device_context, get_device, respond


@login_required
def device_detail(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid)
    remember_partner(request, slug)
    context = device_context(
        access,
        device,
        chart=battery_chart(device) if device.family == "battery" or device.battery_percent is not None else None,
        tags=list(device.tags.all()),
        channels=list(device.channels.all()),
        pir_form=PirForm(
            initial={
                "enabled": device.pir_enabled,
                "sensitivity": device.pir_sensitivity,
                "reduce_mistakes": device.pir_reduce_mistakes,
            }
        ),
        rename_form=RenameForm(initial={"name": device.display_name}),
        stream_form=StreamForm(device=device),
        wifi_form=WifiForm(initial={"country_code": "US"}),
    )
    return render(request, "devices/device/page.html", context)


@login_required
@vary_on_headers("HX-Request")
def device_alarm(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = AlarmForm(request.POST)
    outcome = None
    if form.is_valid():
        with interactive_driver(device) as driver:
            outcome = actions.set_alarm(device, request.user, form.cleaned_data["enabled"], driver=driver)
    return respond(request, device, "devices/device/page.html#alarm", device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_pir(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = PirForm(request.POST)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        with interactive_driver(device) as driver:
            outcome = actions.set_pir(
                device, request.user, data["enabled"], data["sensitivity"], data["reduce_mistakes"], driver=driver
            )
    context = device_context(access, device, pir_form=form)
    return respond(request, device, "devices/device/page.html#pir", context, outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_rename(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = RenameForm(request.POST)
    outcome = None
    if form.is_valid():
        with interactive_driver(device) as driver:
            outcome = actions.rename(device, request.user, form.cleaned_data["name"], driver=driver)
        if outcome.ok:
            form = RenameForm(initial={"name": device.display_name})
    context = device_context(access, device, rename_form=form)
    return respond(request, device, "devices/device/page.html#rename", context, outcome, form)
