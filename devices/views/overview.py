from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from partners.access import get_access

from .. import selectors


@login_required
def overview(request, slug):
    access = get_access(request, slug)
    request.session["partner_slug"] = slug
    partner = access.partner
    context = {
        "summary": selectors.fleet_summary(partner),
        "first_read": selectors.first_read_progress(partner),
        "firmware": selectors.firmware_chart(partner),
        "alarms": selectors.recent_alarms(partner),
        "low_battery_percent": selectors.LOW_BATTERY_PERCENT,
    }
    return render(request, "devices/overview.html", context)
