from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor
from .access import MethodNotAllowed, TwoFactorRequired


class MethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MethodNotAllowed):
            return HttpResponseNotAllowed(exception.allowed)
        if isinstance(exception, TwoFactorRequired):
            return _to(request, reverse("two_factor_enrol") + "?required=" + exception.partner_slug)
        return None


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: a session of a user with two-factor authentication
    that never passed a code (logged in through another door, such as the admin site's login
    form) is logged out and sent to the console's login, which asks for the code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not two_factor.is_verified(request) and two_factor.has_two_factor(user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def _to(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
