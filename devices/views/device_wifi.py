"""WiFi of WiFi-capable devices: current settings, a scan polled every second,
test and set. The key is read from the form, sent to ROP, and forgotten: it is
never stored, logged, audited or rendered back.

The spec's warnings shape the page: a WiFi-only device drops off the network (and
ROP) when its WiFi is set, and a wrong key then means a reset on site; the WiFi
test is only for devices on a cable (it disconnects a WiFi-only one)."""

import time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, HtmxHttpRequest
from core.querystring import int_param
from partners.models import Role

from .. import actions, device_reads
from ..device_forms import WifiForm
from ..models import ItemResult
from ..outcome import Outcome
from .device_scope import device_context, get_device, respond

# Polls of one scan before the page gives up, whatever the session's own expiry says.
MAX_SCAN_POLLS = 90


@login_required
def device_wifi(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """The current WiFi settings (lazy: a ROP call)."""
    access, device = get_device(request, slug, uid)
    outcome = device_reads.wifi_config(device)
    context = device_context(access, device, outcome=outcome, config=outcome.value if outcome.ok else None)
    return render(request, "devices/device/page.html#wifi_config", context)


@login_required
def device_wifi_scan(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    with device_reads.interactive_driver(device) as driver:
        outcome = actions.start_wifi_scan(device, request.user, driver=driver)
    task = outcome.value if outcome.ok else None
    context = device_context(
        access,
        device,
        outcome=outcome,
        status="scanning" if task else None,
        session_id=task.session_id if task else "",
        # No expiry we can read (beyond any date): MAX_SCAN_POLLS alone bounds the scan.
        until=int(task.expiring_at.timestamp() * 1000) if task and task.expiring_at else 0,
        poll=0,
    )
    return render(request, "devices/device/page.html#wifi_scan", context)


@login_required
def device_wifi_scan_status(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """One poll of a scan; the fragment asks again a second later until the scan ends."""
    access, device = get_device(request, slug, uid, Role.OPERATOR)
    session_id = request.GET.get("session", "")
    until = int_param(request.GET, "until", 0, min_value=0)
    poll = int_param(request.GET, "poll", 0, min_value=0) + 1
    if poll > MAX_SCAN_POLLS or (until and time.time() * 1000 > until):
        outcome = Outcome(ItemResult.ERROR, "The scan took too long. Start a new scan.")
    else:
        outcome = device_reads.wifi_scan(device, session_id)
    scan = outcome.value if outcome.ok else None
    status = scan.status.value if scan else None
    if status in ("error", "timeout"):
        outcome = Outcome(
            ItemResult.ERROR,
            "The device could not scan for networks."
            if status == "error"
            else "The device's scan timed out. Try again.",
        )
    context = device_context(
        access, device, outcome=outcome, status=status, scan=scan, session_id=session_id, until=until, poll=poll
    )
    return render(request, "devices/device/page.html#wifi_scan", context)


@login_required
@vary_on_headers("HX-Request")
def device_wifi_test(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    context = device_context(access, device)
    form = WifiForm(request.POST)
    outcome = None
    if context["abilities"].wifi_only:
        outcome = Outcome(
            ItemResult.NOT_SUPPORTED,
            "A WiFi-only device must not be tested: the test disconnects "
            "it from the network. Only devices on a cable can be tested.",
        )
    elif form.is_valid():
        data = form.cleaned_data
        with device_reads.interactive_driver(device) as driver:
            outcome = actions.test_wifi(
                device, request.user, data["ssid"], data["key"], data["country_code"], driver=driver
            )
    return respond(request, device, "devices/device/page.html#wifi_form", {**context, "wifi_form": form}, outcome, form)


@login_required
@vary_on_headers("HX-Request")
def device_wifi_set(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    context = device_context(access, device)
    form = WifiForm(request.POST, require_confirm=context["abilities"].wifi_only)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        with device_reads.interactive_driver(device) as driver:
            outcome = actions.set_wifi(
                device, request.user, data["ssid"], data["key"], data["country_code"], driver=driver
            )
        if outcome.ok:
            form = WifiForm(initial={"ssid": data["ssid"], "country_code": data["country_code"]})
    return respond(request, device, "devices/device/page.html#wifi_form", {**context, "wifi_form": form}, outcome, form)
