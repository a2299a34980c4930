"""Request types for annotations: what our middleware adds to Django's HttpRequest."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (`request.htmx`)."""

    htmx: HtmxDetails
