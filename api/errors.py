"""Every API answer that is not data is `{"error": {"symbol", "message"}}` JSON with its
status, never an HTML page: bad input, authentication, tenancy, methods, unknown paths
and even a bug (500) under /api/."""

import functools
import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, symbol: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.symbol, self.message = status, symbol, message
        self.headers = headers or {}


def error_response(status: int, symbol: str, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"error": {"symbol": symbol, "message": message}}, status=status, headers=headers)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="rop-fleet"'
    if status == 405:
        response["Allow"] = "GET, HEAD"
    return response


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any /api/ path that names nothing."""
    return error_response(404, "not_found", "No such API path.")


type View = Callable[..., HttpResponseBase]


def api_view(view: View) -> View:
    """Errors as JSON. CSRF-exempt because the API changes nothing: every method but
    GET and HEAD answers 405 (from the view, as JSON, rather than a 403 page)."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ApiError as exc:
            return error_response(exc.status, exc.symbol, exc.message, exc.headers)
        except Http404:
            return error_response(404, "not_found", "No such partner or object.")
        except Exception:
            logger.exception("API error on %s", request.path)
            return error_response(500, "server_error", "The server failed to answer; the error was logged.")

    return wrapped


# Django's error handlers (rop_fleet/urls.py), for what goes wrong before or around a view
# (a middleware's error, a bad Host): JSON under /api/, the usual pages elsewhere.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    if _is_api(request):
        return error_response(400, "bad_request", "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    if _is_api(request):
        return error_response(403, "forbidden", "This caller may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    if _is_api(request):
        return not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponseBase:
    if _is_api(request):
        return error_response(500, "server_error", "The server failed to answer; the error was logged.")
    return defaults.server_error(request)
