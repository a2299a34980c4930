"""Shared by the device page's views: finding the device, and answering a change
to an HTMX request (the fragment) or to a plain form post (a message and back to
the page)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.form_messages import add_error_messages
from core.http import READ_METHODS, HtmxHttpRequest
from partners.access import Access, get_object_for
from partners.models import Role
from rop.lan.models import AI_TYPES

from ..capabilities import abilities_of
from ..connection import through_core_server
from ..models import Device
from ..outcome import Outcome

_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


def get_device(
    request: HttpRequest, slug: str, uid: str, need: Role = Role.VIEWER, methods: Sequence[str] = READ_METHODS
) -> tuple[Access, Device]:
    """(access, device): 404 for another partner or an unknown uid, then 405, then 403."""
    access, device = get_object_for(request, slug, Device.objects.select_related("partner"), need, methods, uid=uid)
    return access, device


def device_context(access: Access, device: Device, **extra: Any) -> dict[str, Any]:
    abilities = abilities_of(device)
    return {
        "device": device,
        "access": access,
        "abilities": abilities,
        "capability_names": sorted(abilities.names),
        # Battery cameras are woken by every ROP call: only on a click, never on page load.
        "auto_load": device.family != "battery" and device.online,
        "channel_range": range(max(1, device.channel_count)),
        "ai_type_choices": AI_TYPES,
        # Alarm notifications, name, live view and WiFi are the Core Server's functions.
        "rop_controls": through_core_server(device.transport),
        **extra,
    }


def respond(
    request: HtmxHttpRequest,
    device: Device,
    template: str,
    context: dict[str, Any],
    outcome: Outcome | None = None,
    form: forms.Form | None = None,
) -> HttpResponse:
    """The fragment for HTMX; otherwise the outcome as a message and the page again."""
    if request.htmx:
        return render(request, template, {**context, "outcome": outcome, "form": form})
    if form is not None:
        add_error_messages(request, form)
    if outcome is not None:
        messages.add_message(request, _LEVELS[outcome.level], outcome.message)
    return redirect("device_detail", slug=device.partner.slug, uid=device.uid)


def no_store(response: HttpResponse) -> HttpResponse:
    """For answers holding a credential (play URL, initialization code)."""
    response["Cache-Control"] = "no-store, private"
    return response
