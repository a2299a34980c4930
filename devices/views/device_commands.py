"""Per-channel commands from the device page, for ROP and LAN devices alike: PTZ (with a
duration after which the console stops the move), presets, spotlight, siren, reboot,
and refreshing the device now. Each answers the command partial for HTMX, or a
message and the page for a plain form."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, HtmxHttpRequest
from partners.models import Role

from .. import commands
from ..connection import FAILURES, describe
from ..device_reads import interactive_driver
from ..lan_forms import ChannelForm, ConfirmForm, LanPtzForm, PresetForm, SpotlightForm
from ..models import ItemResult
from ..outcome import Outcome
from ..tasks.commands import stop_ptz_task
from .device_scope import device_context, get_device, respond

RESULT = "devices/device/commands.html#command_result"


@login_required
@vary_on_headers("HX-Request")
def device_command_ptz(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = LanPtzForm(request.POST, device=device)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        channel, move, duration = data["channel"], data["move"], data["duration"]
        with interactive_driver(device) as driver:
            outcome = commands.ptz(device, request.user, channel, move, data["speed"], duration, driver=driver)
        if outcome.ok and duration and move != "stop":
            transaction.on_commit(
                lambda: stop_ptz_task.apply_async(
                    args=(device.id, channel), countdown=duration, queue=settings.QUEUE_INTERACTIVE
                )
            )
    return respond(request, device, RESULT, device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_command_presets(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """The presets a channel has (a read, for the preset picker)."""
    access, device = get_device(request, slug, uid, Role.VIEWER)
    form = ChannelForm(request.GET, device=device)
    channel = form.cleaned_data["channel"] if form.is_valid() else 0
    outcome: Outcome | None = None
    presets = []
    try:
        with interactive_driver(device) as driver:
            presets = commands.presets(device, channel, driver=driver)
    except FAILURES as exc:
        outcome = describe(exc).outcome()
    if outcome is None and not presets:
        outcome = Outcome(ItemResult.OK, f"Channel {channel} has no saved presets; any of 1-64 may still be recalled.")
    context = device_context(access, device, presets=presets, preset_channel=channel, outcome=outcome)
    return render(request, "devices/device/commands.html#presets", context)


@login_required
@vary_on_headers("HX-Request")
def device_command_preset(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = PresetForm(request.POST, device=device)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        with interactive_driver(device) as driver:
            outcome = commands.recall_preset(
                device, request.user, data["channel"], data["preset"], data["name"], driver=driver
            )
    return respond(request, device, RESULT, device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_command_spotlight(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = SpotlightForm(request.POST, device=device)
    outcome = None
    if form.is_valid():
        with interactive_driver(device) as driver:
            outcome = commands.spotlight(
                device, request.user, form.cleaned_data["channel"], form.cleaned_data["on"], driver=driver
            )
    return respond(request, device, RESULT, device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_command_siren(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = ChannelForm(request.POST, device=device)
    outcome = None
    if form.is_valid():
        with interactive_driver(device) as driver:
            outcome = commands.siren(device, request.user, form.cleaned_data["channel"], driver=driver)
    return respond(request, device, RESULT, device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_command_reboot(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = ConfirmForm(request.POST)
    outcome = None
    if form.is_valid():
        with interactive_driver(device) as driver:
            outcome = commands.reboot(device, request.user, driver=driver)
    return respond(request, device, RESULT, device_context(access, device), outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_refresh(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """Read the device now (identity, channels and health) through its driver."""
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    try:
        with interactive_driver(device) as driver:
            outcome = Outcome(ItemResult.OK, driver.refresh())
    except FAILURES as exc:
        outcome = describe(exc).outcome()
    return respond(request, device, RESULT, device_context(access, device), outcome)
