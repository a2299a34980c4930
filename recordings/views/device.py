"""The device page's recordings section (loaded by that page; devices sits below
recordings): a month calendar, a day's clips as a timeline and a list, and playback.
A battery camera is not called (it would wake) and a device the console believes
offline is not either, until the person asks (`ask=1`)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from core.form_messages import error_lines
from core.http import HtmxHttpRequest, wants_partial
from devices.connection import through_core_server
from devices.models import Device, Family
from partners.access import get_object_for

from .. import reads
from ..calendar_month import month
from ..forms import DayForm, PlaybackForm
from ..problems import LAN_DEVICE
from ..timeline import length, timeline

TEMPLATE = "recordings/device.html"
ASLEEP = (
    "This is a battery camera: reading its recordings wakes it and costs battery, so the page does not do it by itself."
)
OFFLINE = "The device is offline, so its recordings cannot be read now."
# A camera lists a clip once it has finished it: while the range asked for is going on (and
# this long after its end, a camera's post-record time), the day's clips are read again.
SETTLE = dt.timedelta(seconds=60)
REFRESH_SECONDS = 5


def _query(data: dict[str, Any], **changes: Any) -> str:
    values: dict[str, Any] = {
        "channel": data["channel"],
        "stream": data["stream"],
        "day": data["day"].isoformat(),
        "start": data["start"].strftime("%H:%M:%S"),
        "end": data["end"].strftime("%H:%M:%S"),
        "month": data["month"].strftime("%Y-%m"),
    }
    if data.get("ask"):
        values["ask"] = "1"
    values.update(changes)
    return urlencode(values)


def _held(device: Device, asked: bool) -> str:
    """Why the section waits for a click instead of calling the device."""
    if not through_core_server(device.transport):
        return LAN_DEVICE
    if asked:
        return ""
    if not device.online:
        return OFFLINE
    if device.family == Family.BATTERY:
        return ASLEEP
    return ""


def _recording_now(device: Device, data: dict[str, Any]) -> dict[str, Any]:
    """Whether the range asked for may still gain clips (it has begun and ended less than
    SETTLE ago), and if so how the day's clips are read again: every few seconds for a
    powered camera, on request for a battery camera (each read wakes it)."""
    now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)
    start = dt.datetime.combine(data["day"], data["start"])
    until = dt.datetime.combine(data["day"], data["end"]) + SETTLE
    if not start <= now < until:
        return {"recording_now": False, "refresh": False}
    refresh = device.family != Family.BATTERY
    return {
        "recording_now": True,
        "refresh": refresh,
        "refresh_seconds": REFRESH_SECONDS,
        "refresh_until": until,
        "refresh_query": _query(data, part="day"),
    }


@login_required
@vary_on_headers("HX-Request")
def device_recordings(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_object_for(request, slug, Device.objects.select_related("partner"), uid=uid)
    form = DayForm(request.GET, device=device, today=timezone.now().astimezone(dt.UTC).date())
    context: dict[str, Any] = {"device": device, "form": form, "errors": error_lines(form), "section": True}
    if form.is_valid():
        data = form.cleaned_data
        context["held"] = _held(device, data["ask"])
        context["ask_query"] = _query(data, ask="1")
        context["channels"] = range(form.channels)
        if not context["held"]:
            first = data["month"]
            # The day's clips read again while the range may still gain some (no calendar).
            only_day = bool(request.htmx) and request.GET.get("part") == "day"
            days = None if only_day else reads.month_days(device, data["channel"], first.year, first.month)
            day = reads.day_clips(device, data["channel"], data["stream"], data["day"], data["start"], data["end"])
            context.update(
                data=data,
                day_read=day,
                timeline=timeline(data["day"], day.value.clips, data["start"], data["end"]) if day.value else None,
                clip_rows=[(c, length(c.start_time, c.end_time)) for c in day.value.clips] if day.value else [],
                **_recording_now(device, data),
            )
            if days is None:
                return render(request, f"{TEMPLATE}#day_clips", context)
            cal = month(first, days.value or [])
            context.update(
                days=days,
                calendar=cal,
                previous_query=_query(data, month=(first - dt.timedelta(days=1)).strftime("%Y-%m")),
                next_query=_query(data, month=(first + dt.timedelta(days=32)).strftime("%Y-%m")),
                weeks=[
                    [
                        (d, _query(data, day=d.date.isoformat(), start="00:00:00", end="23:59:59") if d.date else "")
                        for d in week
                    ]
                    for week in cal.weeks
                ],
            )
    template = f"{TEMPLATE}#section" if wants_partial(request) else TEMPLATE
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
def device_playback(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """A playback address for one clip, with a countdown. A GET: watching is reading,
    so viewers may, as with live view; the answer holds a credential and is never cached."""
    access, device = get_object_for(request, slug, Device.objects.select_related("partner"), uid=uid)
    form = PlaybackForm(request.GET)
    context: dict[str, Any] = {"device": device, "play_form": form, "playback": True}
    if form.is_valid():
        channel, file_name = form.cleaned_data["channel"], form.cleaned_data["file"]
        context.update(
            play=reads.open_playback(device, request.user, channel, file_name),
            channel=channel,
            file_name=file_name,
        )
    else:
        context["play_errors"] = error_lines(form)
    template = f"{TEMPLATE}#playback" if request.htmx else TEMPLATE
    response = render(request, template, context, status=200 if form.is_valid() else 400)
    response["Cache-Control"] = "no-store, private"
    return response
