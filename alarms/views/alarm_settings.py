"""A partner's alarm settings: retention and the webhook's IP allow-list (admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.http import FORM_METHODS
from partners.access import get_access
from partners.models import Role

from .. import services
from ..forms import AlarmSettingsForm


@login_required
def alarm_settings(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.ADMIN, methods=FORM_METHODS)
    current = services.settings_for(access.partner)
    form = AlarmSettingsForm(request.POST) if request.method == "POST" else AlarmSettingsForm.for_settings(current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_settings(access.partner, request.user, data["retention_days"], data["allowed_networks"])
        messages.success(request, "Alarm settings saved.")
        return redirect("alarm_settings", slug=slug)
    return render(request, "alarms/settings.html", {"form": form})
