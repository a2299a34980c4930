"""The jobs list, a job's page with its progress partial, and the job controls.
Any kind of job: what is kind-specific (title, targets, results) comes from its handler.
The pieces these pages share with the pages over other jobs (rollouts) are in pages.py."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from core.http import HtmxHttpRequest
from partners.access import get_access, get_object_for

from . import selectors, services
from .models import Job, JobState
from .pages import control, keyset_list, progress_request, progress_template


@login_required
@vary_on_headers("HX-Request")
def job_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    return keyset_list(
        request, "jobs/job_list.html", "job_rows", lambda after: selectors.jobs_page(access.partner, after), "jobs"
    )


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    access, job = get_object_for(request, slug, Job.objects.select_related("user"), id=job_id)
    asked = progress_request(request)
    show = selectors.valid_filter(job, asked.result)
    progress = selectors.progress(job)
    items, next_after = selectors.items_page(job, show, asked.after)
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
        "after": asked.after,
    }
    template = progress_template(request, asked, "jobs/job.html", context, rows="item_rows", section="items")
    return render(request, template, context)


def _control(
    request: HtmxHttpRequest, slug: str, job_id: int, change: Callable[[Job, Any], bool], done: str, refused: str
) -> HttpResponse:
    def url(job: Job) -> str:
        return reverse("job_detail", kwargs={"slug": slug, "job_id": job.id})

    return control(request, slug, Job.objects.all(), job_id, change, (done, refused), url)


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
