"""Snapshot and live view. Both are reads a viewer may do; both answer fragments
requested lazily by the page, so the page itself never waits on ROP.

The browser only ever talks to the console: the JPEG is served from here, and the
only ROP address it sees is the signed RTSP play URL, shown to members of the
device's partner, never logged, stored or audited."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .. import actions, device_reads
from ..device_forms import StreamForm
from ..models import Device
from .device_scope import device_context, get_device, no_store


def _stream_form(request: HttpRequest, device: Device) -> tuple[StreamForm, int | None, str | None]:
    """(form, channel, stream); channel and stream are None when the query is invalid."""
    form = StreamForm(request.GET or None, device=device)
    if not form.is_valid():
        return form, None, None
    return form, form.cleaned_data["channel"], form.cleaned_data["stream"]


@login_required
def device_snapshot(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    """The snapshot fragment: takes (or reuses, ~10 s) a picture, then the <img> in
    it loads the JPEG from device_snapshot_image."""
    access, device = get_device(request, slug, uid)
    form, channel, stream = _stream_form(request, device)
    outcome = None
    if channel is not None and stream is not None:
        outcome = device_reads.snapshot(device, channel, stream, refresh=request.GET.get("refresh") == "1")
    context = device_context(
        access,
        device,
        stream_form=form,
        outcome=outcome,
        shot=outcome.value if outcome and outcome.ok else None,
        channel=channel,
        stream=stream,
        snapshot_cache_seconds=device_reads.SNAPSHOT_CACHE_SECONDS,
    )
    return render(request, "devices/device/page.html#snapshot", context)


@login_required
def device_snapshot_image(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    """The JPEG itself, from the cache the fragment filled; taken anew if the cache
    expired in between (the user asked for it)."""
    _access, device = get_device(request, slug, uid)
    _form, channel, stream = _stream_form(request, device)
    if channel is None or stream is None:
        raise Http404("No such channel or stream")
    shot = device_reads.cached_snapshot(device, channel, stream)
    if shot is None:
        outcome = device_reads.snapshot(device, channel, stream)
        if not outcome.ok:
            # The page's script replaces a failed <img> with a message (no broken image).
            return HttpResponse(outcome.message, status=404, content_type="text/plain; charset=utf-8")
        shot = outcome.value
    response = HttpResponse(shot.jpeg, content_type="image/jpeg")
    response["Cache-Control"] = f"private, max-age={device_reads.SNAPSHOT_CACHE_SECONDS}"
    return response


@login_required
def device_live(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    """Creates a live session and shows its RTSP address with a countdown. A GET:
    watching is reading, so viewers may; the answer is never cached."""
    access, device = get_device(request, slug, uid)
    form, channel, stream = _stream_form(request, device)
    outcome = None
    if channel is not None and stream is not None:
        with device_reads.interactive_driver(device) as driver:
            outcome = actions.create_live_session(device, request.user, channel, stream, driver=driver)
    context = device_context(
        access,
        device,
        stream_form=form,
        outcome=outcome,
        session=outcome.value if outcome and outcome.ok else None,
        channel=channel,
        stream=stream,
    )
    return no_store(render(request, "devices/device/page.html#live", context))
