"""Starting a bulk action from the device list, and following its job."""

from functools import partial
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from core.form_messages import add_error_messages, error_lines
from core.htmx import HtmxHttpRequest
from core.querystring import int_param
from partners.access import get_access, get_object_for
from partners.models import Role

from .. import bulk, selectors
from ..bulk_forms import BulkActionForm
from ..models import BulkJob, ItemResult, JobState
from ..tasks.bulk import enqueue_job


@login_required
def bulk_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, methods=["POST"])
    form = BulkActionForm(request.POST, partner=access.partner)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ids = bulk.resolve_targets(
                access.partner,
                all_matching=data["all_matching"],
                device_ids=data["device_ids"],
                filters=data["filter_values"],
                sort=data["sort"],
            )
        except bulk.TooManyDevices as exc:
            form.add_error(None, str(exc))
        else:
            if ids:
                job = bulk.start_job(access.partner, request.user, data["action"], form.params(), ids)
                transaction.on_commit(partial(enqueue_job, job.id))
                messages.success(
                    request,
                    f"Started: {job.get_action_display()} on {len(ids):,} device{'s' if len(ids) != 1 else ''}.",
                )
                url = reverse("bulk_job", kwargs={"slug": slug, "job_id": job.id})
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            form.add_error(
                None,
                "None of these devices is in this partner's fleet any more; nothing was started."
                if not data["all_matching"]
                else "No devices match the filter; nothing was started.",
            )
    if request.htmx:
        # Shown above the buttons; what the operator typed stays in place.
        return render(request, "devices/device_list.html#bulk_errors", {"bulk_errors": error_lines(form)})
    add_error_messages(request, form)
    back = QueryDict(request.POST.get("filters", "")).urlencode()
    return redirect(reverse("device_list", kwargs={"slug": slug}) + (f"?{back}" if back else ""))


@login_required
@vary_on_headers("HX-Request")
def bulk_job(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    _access, job = get_object_for(request, slug, BulkJob.objects.select_related("user"), id=job_id)
    polling = bool(request.htmx) and request.GET.get("part") == "progress"
    # The poll keeps the result filter the page shows now (it may have changed since).
    query = urlsplit(request.htmx.current_url or "").query if polling else request.GET.urlencode()
    result = QueryDict(query).get("result", "")
    if result not in ItemResult.values:
        result = ""
    # An item id to continue after; at most 18 digits, well inside a bigint.
    after = int_param(request.GET, "after", None, min_value=0, max_value=10**18 - 1)
    counts = selectors.job_counts(job)
    items, next_after = selectors.job_items_page(job, result, after)
    finished = job.total - counts[ItemResult.PENDING] - counts[ItemResult.RUNNING]
    context = {
        "job": job,
        "done": job.state == JobState.DONE,
        "counts": counts,
        "finished": finished,
        "percent": round(100 * finished / job.total) if job.total else 100,
        "result": result,
        "result_filters": [
            (value, label, counts[value])
            for value, label in ItemResult.choices
            if value not in (ItemResult.PENDING, ItemResult.RUNNING) or counts[value]
        ],
        "items": items,
        "next_after": next_after,
        "after": after,
    }
    template = "devices/bulk_job.html"
    if request.htmx and not request.htmx.history_restore_request:
        if polling:
            template += "#progress"  # the poll: the bar, plus the results out of band
            context["oob"] = True
        elif after:
            template += "#item_rows"
        else:
            template += "#items"
    return render(request, template, context)
