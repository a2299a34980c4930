"""LAN devices: adding one, its connection settings, removing it, trusting a new
TLS certificate, and each channel's AI types (operators; viewers see the page)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.vary import vary_on_headers

from core.form_messages import error_lines
from core.http import CHANGE_METHODS, FORM_METHODS, HtmxHttpRequest
from partners.access import Access, get_access
from partners.models import Role
from partners.session import remember_partner

from .. import lan_devices
from ..connection import FAILURES, describe
from ..lan_forms import (
    ChannelAiForm,
    ConfirmForm,
    LanDeviceForm,
    LanSettingsForm,
    TrustCertificateForm,
    settings_initial,
)
from ..models import Channel, Device, Transport
from ..outcome import Outcome
from .device_scope import device_context, get_device, no_store, respond

CERTIFICATE = "devices/device/lan.html#certificate"


def _lan_device(
    request: HtmxHttpRequest, slug: str, uid: str, need: Role, methods: tuple[str, ...]
) -> tuple[Access, Device]:
    access, device = get_device(request, slug, uid, need, methods)
    if device.transport != Transport.LAN:
        raise Http404("This device is not reached over the LAN.")
    return access, device


@login_required
@vary_on_headers("HX-Request")
def lan_device_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, methods=FORM_METHODS)
    remember_partner(request, slug)
    form = LanDeviceForm(request.POST or None)
    outcome = None
    if request.method == "POST" and not form.is_valid():
        refused = " ".join(error_lines(form))
        lan_devices.refuse_form(access.partner, request.user, "device.lan_add", request.POST, refused)
    elif request.method == "POST":
        outcome = lan_devices.add_lan_device(access.partner, request.user, form.cleaned_data)
        if outcome.ok and not request.htmx:
            messages.success(request, outcome.message)
            return redirect("device_detail", slug=slug, uid=outcome.value.uid)
    added = outcome.value if outcome is not None and outcome.ok else None
    context: dict[str, Any] = {"form": form, "outcome": outcome, "access": access, "added": added}
    if added is not None:
        context["channels"] = list(added.channels.all())
    partial = request.htmx and request.method == "POST"
    return no_store(render(request, "devices/lan_add.html#result" if partial else "devices/lan_add.html", context))


@login_required
def lan_device_settings(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = _lan_device(request, slug, uid, Role.OPERATOR, FORM_METHODS)
    if request.method == "POST":
        form = LanSettingsForm(request.POST, device=device)
        if form.is_valid():
            outcome = lan_devices.update_lan_settings(device, request.user, form.cleaned_data)
            if outcome.ok:
                messages.success(request, outcome.message)
                return redirect("device_detail", slug=slug, uid=device.uid)
            form.add_error(None, outcome.message)  # the device's own words, above the form
        else:
            refused = " ".join(error_lines(form))
            lan_devices.refuse_form(access.partner, request.user, "device.lan_settings", request.POST, refused, device)
    else:
        form = LanSettingsForm(initial=settings_initial(device), device=device)
    return no_store(render(request, "devices/lan_settings.html", device_context(access, device, form=form)))


@login_required
def lan_device_remove(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    _, device = _lan_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm the removal.")
        return redirect("device_detail", slug=slug, uid=device.uid)
    outcome = lan_devices.remove_lan_device(device, request.user)
    messages.success(request, outcome.message)
    return redirect("device_list", slug=slug)


@login_required
@vary_on_headers("HX-Request")
def lan_certificate(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """GET: the certificate the device presents now beside the pinned one. POST: trust
    the fingerprint the operator confirmed (it must be what the device presents)."""
    need = Role.OPERATOR if request.method == "POST" else Role.VIEWER
    access, device = _lan_device(request, slug, uid, need, FORM_METHODS)
    outcome: Outcome | None = None
    current = ""
    form = TrustCertificateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            outcome = lan_devices.trust_certificate(device, request.user, form.cleaned_data["fingerprint"])
            current = device.lan_cert_sha256 if outcome.ok else form.cleaned_data["fingerprint"]
        else:
            current = str(request.POST.get("fingerprint", ""))[:95]
    elif device.lan_use_https:
        try:
            current = lan_devices.current_fingerprint(device)
        except FAILURES as exc:
            outcome = describe(exc).outcome()
    context = device_context(
        access, device, current=current, changed=bool(current) and current != device.lan_cert_sha256
    )
    return respond(request, device, CERTIFICATE, context, outcome, form if request.method == "POST" else None)


@login_required
@vary_on_headers("HX-Request")
def lan_channel_ai(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = ChannelAiForm(request.POST)
    outcome = None
    if form.is_valid():
        channel = Channel.objects.filter(device=device, index=form.cleaned_data["channel"]).first()
        if channel is None:
            form.add_error("channel", "The device has no such channel.")
        else:
            outcome = lan_devices.set_channel_ai_types(channel, request.user, form.cleaned_data["ai_types"])
    context = device_context(access, device, channels=list(device.channels.all()))
    return respond(request, device, "devices/device/lan.html#channels", context, outcome, form)
