"""The request helpers every view shares: the request type for annotations (what our
middleware adds to Django's HttpRequest), the sets of methods a view takes, the redirect
that works for htmx and plain requests alike, and whether htmx asks for a part of a page."""

from typing import Final

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

READ_METHODS: Final = ("GET", "HEAD")  # a page that only shows
FORM_METHODS: Final = ("GET", "HEAD", "POST")  # a page with its form
CHANGE_METHODS: Final = ("POST",)  # a change, answered by a redirect or a partial


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (`request.htmx`)."""

    htmx: HtmxDetails


def redirect_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Go to `url`: htmx follows `HX-Redirect` (a whole page load), a plain form a 302."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def wants_partial(request: HtmxHttpRequest) -> bool:
    """True when htmx asks for a part of the page. A history restore (back after the
    page's cache was evicted) is an htmx request that wants the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
