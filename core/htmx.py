"""The request type views annotate with: django-htmx's middleware adds `request.htmx`,
which Django's HttpRequest does not declare (django-htmx's documented pattern)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
