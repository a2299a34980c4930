import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from alarms.selectors import recent_alarms
from core.form_messages import error_lines
from core.http import HtmxHttpRequest, wants_partial
from devices import selectors as devices
from partners.access import get_access
from partners.circuit import circuit_state
from partners.session import remember_partner

from . import report_charts as charts
from .attention import needs_attention
from .forms import PeriodForm
from .report_data import HOURLY_UP_TO_DAYS, PERIODS, period_start, report


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    remember_partner(request, slug)
    partner = access.partner
    summary, circuit = devices.fleet_summary(partner), circuit_state(partner)
    context = {
        "summary": summary,
        "attention": needs_attention(partner, summary, circuit),
        "first_read": devices.first_read_progress(partner),
        "firmware": devices.firmware_chart(partner),
        "alarms": recent_alarms(partner),
        "circuit": circuit,
        "low_battery_percent": devices.LOW_BATTERY_PERCENT,
    }
    return render(request, "dashboard/overview.html", context)


@login_required
@vary_on_headers("HX-Request")
def reports(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Charts for managers (every role may see them); the period links swap the charts with htmx."""
    access = get_access(request, slug)
    form = PeriodForm(request.GET)
    days = form.cleaned_data["days"] if form.is_valid() else PERIODS[0]
    figures = report(access.partner, days)
    now: dt.datetime = figures["generated_at"]
    hourly = days <= HOURLY_UP_TO_DAYS
    context = {
        "days": days,
        "periods": PERIODS,
        "errors": error_lines(form),
        "hourly": hourly,
        "generated_at": now,
        "firmware": charts.firmware_bars(figures["firmware"]),
        "online": figures["online"],
        "online_chart": charts.online_line(figures["online"], period_start(days, now), now, hourly),
        "battery": figures["battery"],
        "battery_chart": charts.battery_columns(figures["battery"]),
        "alarms": charts.alarm_columns(figures["alarms"]),
        "rollouts": charts.rollout_bars(figures["rollouts"]),
    }
    template = "dashboard/reports.html"
    if wants_partial(request):
        template += "#charts"
    return render(request, template, context)
