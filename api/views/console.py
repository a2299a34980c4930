"""The console's API page: the partner's tokens (admins create and revoke them), the
OpenAPI link and curl examples with this installation's real base URL."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.http import CHANGE_METHODS, FORM_METHODS
from partners.access import get_access, get_object_for
from partners.models import Role

from .. import tokens
from ..forms import TokenForm, day_end
from ..models import ApiToken


@login_required
def api_page(request: HttpRequest, slug: str) -> HttpResponse:
    # Admins only: the page creates tokens, and lists who made which.
    access = get_access(request, slug, Role.ADMIN, methods=FORM_METHODS)
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["expires_on"]
        expires: datetime | None = day_end(day) if day else None
        row, new_token = tokens.create_token(access.partner, request.user, form.cleaned_data["name"], expires)
        messages.success(request, f"Token “{row.name}” created. Copy it now: it is not shown again.")
        form = TokenForm()
    base = request.build_absolute_uri(reverse("api_devices", kwargs={"slug": slug}))
    context = {
        "access": access,
        "form": form,
        "new_token": new_token,
        "tokens": tokens.with_maker_standing(
            ApiToken.objects.filter(partner=access.partner).select_related("created_by").order_by("-id")
        ),
        "devices_url": base,
        "openapi_url": request.build_absolute_uri(reverse("api_openapi")),
    }
    return render(request, "api/api_page.html", context)


@login_required
def api_token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    _access, row = get_object_for(
        request, slug, ApiToken.objects.all(), Role.ADMIN, methods=CHANGE_METHODS, id=token_id
    )
    if tokens.revoke_token(row, request.user):
        messages.success(request, f"Token “{row.name}” revoked: it stops working now.")
    else:
        messages.error(request, "This token was already revoked.")
    return redirect("api_page", slug=slug)
