"""The alarm webhook the partner's Core Server posts to. Its path is two queries per
alarm (alarms/ingest.py); everything else here is CPU: parsing, the allow-list and
the secret, checked in that order of answers: unknown partner, address not allowed,
wrong secret (all one 403), then a malformed body (400)."""

import hmac
import logging

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from partners.models import Partner
from rop import AlarmNotification, parse_alarm_notification
from rop import errors as rop_errors

from .. import ingest
from ..allow_list import address_allowed

logger = logging.getLogger(__name__)


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


def _secret_matches(partner: Partner, presented: str) -> bool:
    # Compared as bytes: compare_digest refuses non-ASCII str, and any byte may arrive here.
    return bool(presented) and hmac.compare_digest(presented.encode(), partner.webhook_secret.encode())


def _address_allowed(request: HttpRequest, partner: Partner) -> bool:
    alarm_settings = ingest.settings_of(partner)
    if alarm_settings is None or not alarm_settings.allowed_networks:
        return True
    # The same client address as the login lockout's: ipware counting PROXY_COUNT
    # proxies from the right of X-Forwarded-For, never the client-written left end.
    address = get_client_ip_address(request)
    if address_allowed(address, alarm_settings.allowed_networks):
        return True
    logger.warning("alarm webhook of %s refused from %s: not in its allow-list", partner.slug, address)
    return False


@csrf_exempt  # machine-to-machine: authenticated by the partner's secret, not a session
def alarm_webhook(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        response = json_error(405, "method_not_allowed", "The alarm webhook takes POST.")
        response["Allow"] = "POST"
        return response
    now = timezone.now()
    # Parsed before the lookup so that one query can also find the device and the
    # event a duplicate folds into; a bad body is only answered once the caller is known.
    notification: AlarmNotification | None = None
    problem = ""
    try:
        notification = parse_alarm_notification(request.body)
    except rop_errors.RopError as exc:
        problem = exc.message
    partner = ingest.find_partner(slug, notification, now)
    presented = _presented_secret(request)
    if partner is None or not _address_allowed(request, partner) or not _secret_matches(partner, presented):
        # One answer for an unknown partner, an address off the allow-list and a wrong
        # secret: nothing tells a stranger which partners exist or what they allow.
        return json_error(403, "auth_failed", "Unknown webhook address or wrong secret.")
    if notification is None:
        return json_error(400, "invalid_parameter", problem)
    event_id, folded = ingest.store(partner, notification, now)
    return JsonResponse({"message": "ok", "id": event_id, "folded": folded})
