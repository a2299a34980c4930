"""What every page over jobs shares (the jobs list and a job's page, the rollouts list and a
rollout's page, and the pages like them to come): the keyset list with its "more" rows, a
progress page's request (the poll keeps the filter the page shows) and the partial it
answers, and the control views (pause, resume, cancel…) answering with a message."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from core.http import CHANGE_METHODS, HtmxHttpRequest, redirect_to, wants_partial
from core.querystring import MAX_ID, int_param
from partners.access import get_object_for
from partners.models import Role

# An id to continue after: what core.querystring reads as an id.
MAX_CURSOR = MAX_ID


def keyset_list(
    request: HtmxHttpRequest,
    template: str,
    rows_partial: str,
    page: Callable[[int | None], tuple[Sequence[Any], int | None]],
    rows_name: str,
    **context: Any,
) -> HttpResponse:
    """A list page of keyset pages (`page(after)` gives the rows and the next cursor); its
    "more" link asks for `template#rows_partial` after the last row shown."""
    after = int_param(request.GET, "after", None, min_value=1, max_value=MAX_CURSOR)
    rows, next_after = page(after)
    next_query = urlencode({"after": next_after}) if next_after else ""
    context.update({rows_name: rows, "next_query": next_query, "after": after})
    if after and wants_partial(request):
        template += f"#{rows_partial}"
    return render(request, template, context)


@dataclass(frozen=True)
class ProgressRequest:
    """What a progress page's request asks: the poll of its progress or not, the results
    filter the page shows, and where its rows continue (None: from the first)."""

    polling: bool
    result: str
    after: int | None


def progress_request(request: HtmxHttpRequest) -> ProgressRequest:
    polling = bool(request.htmx) and request.GET.get("part") == "progress"
    # The poll keeps the filter the page shows now (it may have changed since).
    query = urlsplit(request.htmx.current_url or "").query if polling else request.GET.urlencode()
    after = int_param(request.GET, "after", None, min_value=0, max_value=MAX_CURSOR)
    return ProgressRequest(polling=polling, result=QueryDict(query).get("result", ""), after=after)


def progress_template(
    request: HtmxHttpRequest, asked: ProgressRequest, template: str, context: dict[str, Any], *, rows: str, section: str
) -> str:
    """The page, or for htmx its part: the poll's `#progress` (the results out of band),
    more rows (`#rows`), or the results section after a change of filter (`#section`)."""
    if not wants_partial(request):
        return template
    if asked.polling:
        context["oob"] = True
        return f"{template}#progress"
    return f"{template}#{rows}" if asked.after else f"{template}#{section}"


def control[M: Model](
    request: HtmxHttpRequest,
    slug: str,
    queryset: QuerySet[M],
    object_id: int,
    change: Callable[[M, Any], object],
    messages_: tuple[str, str],
    url: Callable[[M], str],
) -> HttpResponse:
    """An operator's control of one object (POST): `change(object, user)` answers what it
    did (falsy: nothing), told with the first message (`{outcome}` stands for that answer)
    or the second; then back to the object's page."""
    _access, obj = get_object_for(request, slug, queryset, Role.OPERATOR, CHANGE_METHODS, id=object_id)
    done, refused = messages_
    outcome = change(obj, request.user)
    if outcome:
        messages.success(request, done.format(outcome=outcome))
    else:
        messages.error(request, refused)
    return redirect_to(request, url(obj))
