"""The alarm webhook address each partner puts in its Core Server's ROP_ALARM_WEBHOOK."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .models import Partner


def webhook_url(request: HttpRequest, partner: Partner) -> str:
    path = reverse("alarm_webhook", kwargs={"slug": partner.slug})
    base = settings.PUBLIC_BASE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    return f"{base}{path}?{urlencode({'authcode': partner.webhook_secret})}"
