"""The alarm feed: one page with its filter, "more" pages by keyset, and a poll that
brings alarms newer than the page's newest (docs/alarms.md says why polling, not
server-sent events); and the device page's alarms, loaded lazily by that page."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from core.form_messages import error_lines
from core.http import HtmxHttpRequest, wants_partial
from devices.models import Device
from partners.access import get_access, get_object_for
from partners.session import remember_partner

from .. import selectors
from ..filters import AlarmFilterForm, filter_query

# How often an open feed asks for new alarms. Short enough to feel live, long enough
# that a hundred open feeds are a handful of indexed queries per second.
POLL_SECONDS = 5
SEEN_MARGIN_SECONDS = 2
TEMPLATE = "alarms/feed.html"


def _seen_mark(now: datetime | None = None) -> str:
    """The `seen` of the next poll: a little before now, so an update whose transaction
    began before this answer but committed after its query is still brought next time
    (bringing one twice is harmless: the row is swapped with the same content)."""
    moment = (now or timezone.now()) - timedelta(seconds=SEEN_MARGIN_SECONDS)
    return f"{moment.timestamp():.3f}"


def _cleaned(form: AlarmFilterForm) -> tuple[bool, dict[str, Any]]:
    valid = form.is_valid()
    cleaned = form.cleaned_data if valid else {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    return valid, cleaned


@login_required
@vary_on_headers("HX-Request")
def alarm_feed(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    remember_partner(request, slug)
    form = AlarmFilterForm(request.GET)
    valid, cleaned = _cleaned(form)
    after = cleaned.get("after") if valid else None
    rows: list[Any] = []
    next_id = None
    poll_query = ""
    if valid:
        rows, next_id = selectors.feed_page(selectors.filtered_alarms(access.partner, cleaned), after)
        if not after:
            poll_query = filter_query(cleaned, since=selectors.newest_id(access.partner), seen=_seen_mark())
    context = {
        "form": form,
        "errors": error_lines(form),
        "rows": rows,
        "after": after,
        "next_query": filter_query(cleaned, after=next_id) if next_id else "",
        "poll_query": poll_query,
        # The API's export of what the page shows (templates/api/export.html).
        "export_query": filter_query(cleaned),
        "poll_seconds": POLL_SECONDS,
        "tags": selectors.tag_names(access.partner),
    }
    template = TEMPLATE
    if wants_partial(request):
        # "More alarms" appends rows; a filter replaces the table (and its poll).
        template += "#rows" if after else "#table"
    return render(request, template, context)


def alarm_feed_new(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The poll: alarms newer than `since` matching the filter, to go on top of the
    feed with the next poll, and the rows already shown whose count or last alarm
    changed after `seen`, swapped in place out of band; 204 (htmx swaps nothing) when
    there is neither."""
    if not request.user.is_authenticated:
        # Not login_required's redirect: htmx would follow it and put the login page
        # in the table. Reloading the page leads to the login form instead.
        return HttpResponse("Log in again.", status=401, content_type="text/plain", headers={"HX-Refresh": "true"})
    access = get_access(request, slug)
    form = AlarmFilterForm(request.GET)
    valid, cleaned = _cleaned(form)
    since = cleaned.get("since")
    if not valid or since is None:
        return HttpResponse("Give a valid filter and since=<alarm id>.", status=400, content_type="text/plain")
    now = timezone.now()
    alarms = selectors.filtered_alarms(access.partner, cleaned)
    rows = selectors.newer_than(alarms, since)
    seen = cleaned.get("seen")
    # Pages from before `seen` existed poll for new rows only.
    changed = selectors.changed_since(alarms, since, datetime.fromtimestamp(seen, UTC)) if seen is not None else []
    if not rows and not changed:
        return HttpResponse(status=204)
    more = len(rows) > selectors.POLL_LIMIT
    rows = rows[: selectors.POLL_LIMIT]
    newest = rows[0].id if rows else since
    context = {
        "rows": rows,
        "changed": changed,
        "fresh": True,
        "more_new": more,
        "reload_query": filter_query(cleaned),
        "poll_query": filter_query(cleaned, since=newest, **({"seen": _seen_mark(now)} if seen is not None else {})),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, f"{TEMPLATE}#fresh", context)


@login_required
def device_alarms(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    """The device page's alarms section (the page loads it: devices sits below alarms)."""
    access, device = get_object_for(request, slug, Device.objects.all(), uid=uid)
    context = {
        "device": device,
        "rows": selectors.device_alarms(access.partner, device.uid),
        "feed_query": filter_query({"device": device.uid}),
    }
    return render(request, f"{TEMPLATE}#device_alarms", context)
