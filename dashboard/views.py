from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alarms.selectors import recent_alarms
from devices import selectors as devices
from partners.access import get_access
from partners.circuit import circuit_state
from partners.session import remember_partner


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    remember_partner(request, slug)
    partner = access.partner
    context = {
        "summary": devices.fleet_summary(partner),
        "first_read": devices.first_read_progress(partner),
        "firmware": devices.firmware_chart(partner),
        "alarms": recent_alarms(partner),
        "circuit": circuit_state(partner),
        "low_battery_percent": devices.LOW_BATTERY_PERCENT,
    }
    return render(request, "dashboard/overview.html", context)
