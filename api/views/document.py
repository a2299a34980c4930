"""/api/v1/openapi.json: public (it describes the API, not a partner's data)."""

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from core.http import READ_METHODS

from .. import openapi
from ..errors import ApiError, api_view
from . import lists  # noqa: F401  (registers the endpoints the document describes)


@api_view
def openapi_json(request: HttpRequest) -> HttpResponseBase:
    if request.method not in READ_METHODS:
        raise ApiError(405, "method_not_allowed", "The API is read-only: use GET.")
    return JsonResponse(openapi.document(request.build_absolute_uri("/").rstrip("/")))
