"""The jobs list, a job's page with its progress partial, and the job controls.
Any kind of job: what is kind-specific (title, targets, results) comes from its handler."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, HtmxHttpRequest, redirect_to, wants_partial
from core.querystring import int_param
from partners.access import get_access, get_object_for
from partners.models import Role

from . import selectors, services
from .models import Job, JobState

MAX_CURSOR = 10**18 - 1  # an id to continue after: at most 18 digits, well inside a bigint


@login_required
@vary_on_headers("HX-Request")
def job_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    after = int_param(request.GET, "after", None, min_value=1, max_value=MAX_CURSOR)
    jobs, next_after = selectors.jobs_page(access.partner, after)
    next_query = urlencode({"after": next_after}) if next_after else ""
    context = {"jobs": jobs, "next_query": next_query, "after": after}
    template = "jobs/job_list.html"
    if after and wants_partial(request):
        template += "#job_rows"
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    access, job = get_object_for(request, slug, Job.objects.select_related("user"), id=job_id)
    polling = bool(request.htmx) and request.GET.get("part") == "progress"
    # The poll keeps the filter the page shows now (it may have changed since).
    query = urlsplit(request.htmx.current_url or "").query if polling else request.GET.urlencode()
    show = selectors.valid_filter(job, QueryDict(query).get("result", ""))
    after = int_param(request.GET, "after", None, min_value=0, max_value=MAX_CURSOR)
    progress = selectors.progress(job)
    items, next_after = selectors.items_page(job, show, after)
    context = {
        "job": job,
        "title": selectors.title(job),
        "progress": progress,
        "live": selectors.is_live(job, progress),
        "done": job.state == JobState.DONE,
        "can_control": access.can_operate,
        "result": show,
        "items": items,
        "next_after": next_after,
        "after": after,
    }
    template = "jobs/job.html"
    if wants_partial(request):
        if polling:
            template += "#progress"  # the poll: the bar, plus the results out of band
            context["oob"] = True
        elif after:
            template += "#item_rows"
        else:
            template += "#items"
    return render(request, template, context)


def _control(
    request: HtmxHttpRequest, slug: str, job_id: int, change: Callable[[Job, Any], bool], done: str, refused: str
) -> HttpResponse:
    _access, job = get_object_for(request, slug, Job.objects.all(), Role.OPERATOR, methods=CHANGE_METHODS, id=job_id)
    if change(job, request.user):
        messages.success(request, done)
    else:
        messages.error(request, refused)
    url = reverse("job_detail", kwargs={"slug": slug, "job_id": job.id})
    return redirect_to(request, url)


@login_required
def job_cancel(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        job_id,
        services.cancel,
        "Cancelled: nothing more starts; devices already being changed finish first.",
        "This job has already ended.",
    )


@login_required
def job_pause(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    return _control(
        request,
        slug,
        job_id,
        services.pause,
        "Paused: devices already being changed finish first.",
        "Only a running job can be paused.",
    )


@login_required
def job_resume(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    return _control(request, slug, job_id, services.resume, "Resumed.", "Only a paused job can be resumed.")
