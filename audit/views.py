from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.filters import query_string
from core.http import HtmxHttpRequest
from partners.access import get_access

from .forms import EXPORT_FILTERS, AuditFilterForm
from .selectors import audit_actions, audit_page


@login_required
@vary_on_headers("HX-Request")
def audit_log(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows, next_before = audit_page(access.partner, filters)
    context = {
        "form": form,
        "rows": rows,
        "next_before": next_before,
        "actions": audit_actions(access.partner),
        "next_query": _with_param(request.GET, "before", next_before),
        # The API's export of what the page shows (templates/api/export.html).
        "export_query": query_string(filters, EXPORT_FILTERS),
    }
    template = "audit/log.html#rows" if request.htmx and filters.get("before") else "audit/log.html"
    return render(request, template, context)


def _with_param(query: QueryDict, name: str, value: int | None) -> str:
    if value is None:
        return ""
    q = query.copy()
    q[name] = str(value)
    return q.urlencode()
