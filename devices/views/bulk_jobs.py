"""Starting a bulk action from the device list; the job page is the engine's (jobs.views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from core.form_messages import add_error_messages, error_lines
from core.http import CHANGE_METHODS, HtmxHttpRequest, redirect_to
from jobs import views as job_views
from partners.access import get_access
from partners.models import Role

from .. import bulk, selection
from ..bulk_forms import BulkActionForm
from ..models import BulkAction

# "Roll out firmware" on the device list: not a bulk action but the rollout form
# (firmware/), opened on the selection or the current filters.
ROLL_OUT = "roll_out"
# Ids carried in the rollout form's address (a GET, so its length is bounded): a larger
# selection is given as the list's filter (the rollout itself takes selection.MAX_DEVICES).
MAX_ROLL_OUT_IDS = 500


def _roll_out(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    query = QueryDict(mutable=True)
    if request.POST.get("all_matching"):
        query = QueryDict(request.POST.get("filters", ""), mutable=True)
    else:
        problem = "Select devices, or tick “all devices matching the filter”, to roll out firmware."
        try:
            ids = selection.parse_ids(request.POST.getlist("device"), limit=MAX_ROLL_OUT_IDS)
        except selection.TooManyDevices:
            ids, problem = [], f"Select at most {MAX_ROLL_OUT_IDS} devices to roll out firmware, or use the filter."
        except selection.InvalidSelection as exc:
            ids, problem = [], str(exc)
        if not ids:
            messages.error(request, problem)
            back = QueryDict(request.POST.get("filters", "")).urlencode()
            url = reverse("device_list", kwargs={"slug": slug}) + (f"?{back}" if back else "")
            return redirect_to(request, url)
        query.setlist("device", [str(i) for i in ids])
    url = reverse("rollout_new", kwargs={"slug": slug}) + (f"?{query.urlencode()}" if query else "")
    return redirect_to(request, url)


@login_required
def jobs_collection(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """/p/<slug>/jobs/: POST starts a bulk action, anything else is the jobs list."""
    if request.method == "POST":
        return bulk_start(request, slug)
    return job_views.job_list(request, slug)


@login_required
def bulk_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, methods=CHANGE_METHODS)
    if request.POST.get("action") == ROLL_OUT:
        return _roll_out(request, slug)
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
        except selection.TooManyDevices as exc:
            form.add_error(None, str(exc))
        else:
            if ids:
                job = bulk.start_job(access.partner, request.user, data["action"], form.params(), ids)
                messages.success(
                    request,
                    f"Started: {BulkAction(job.action).label} on {len(ids):,} device{'s' if len(ids) != 1 else ''}.",
                )
                url = reverse("job_detail", kwargs={"slug": slug, "job_id": job.id})
                return redirect_to(request, url)
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
