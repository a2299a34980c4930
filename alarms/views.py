import hmac

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from partners.models import Partner
from rop import errors as rop_errors
from rop import parse_alarm_notification

from .services import store_notification


def json_error(status: int, symbol: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"symbol": symbol, "message": message}}, status=status)


def _presented_secret(request: HttpRequest) -> str:
    # The Core Server's webhook carries the secret in the query string (`authcode`,
    # or `key` in the deployment documents); the interface example also sends it
    # as a bearer header. Accept any of them.
    for name in ("authcode", "key"):
        if request.GET.get(name):
            return str(request.GET[name])
    header = request.headers.get("Authorization") or request.headers.get("Authentication") or ""
    return header.removeprefix("Bearer ").strip()


@csrf_exempt  # machine-to-machine: authenticated by the partner's secret, not a session
def alarm_webhook(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        response = json_error(405, "method_not_allowed", "The alarm webhook takes POST.")
        response["Allow"] = "POST"
        return response
    partner = Partner.objects.filter(slug=slug).first()
    presented = _presented_secret(request)
    # Compared as bytes: compare_digest refuses non-ASCII str, and any byte may arrive here.
    expected = partner.webhook_secret.encode() if partner else b""
    if partner is None or not presented or not hmac.compare_digest(presented.encode(), expected):
        # One answer for an unknown partner and a wrong secret: no partner enumeration.
        return json_error(403, "auth_failed", "Unknown webhook address or wrong secret.")
    try:
        notification = parse_alarm_notification(request.body)
    except rop_errors.RopError as exc:
        return json_error(400, "invalid_parameter", exc.message)
    event = store_notification(partner, notification)
    return JsonResponse({"message": "ok", "id": event.id})
