"""jobs.pages: what the job page, the rollout page and the lists of both share."""

from typing import Any, cast

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from core.http import HtmxHttpRequest
from jobs import pages
from jobs.models import Job
from jobs.services import create_job


def _request(path: str = "/", method: str = "get", user: Any = None, **headers: str) -> HtmxHttpRequest:
    request = getattr(RequestFactory(), method)(path, headers=headers)
    for middleware in (HtmxMiddleware, SessionMiddleware, MessageMiddleware):
        middleware(lambda _request: HttpResponse())(request)
    if user is not None:
        request.user = user
    return cast(HtmxHttpRequest, request)


def _rendered(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def render(_request: Any, template: str, context: dict[str, Any]) -> HttpResponse:
        seen.update(template=template, context=context)
        return HttpResponse()

    monkeypatch.setattr(pages, "render", render)
    return seen


def test_it_lists_the_first_page_whole_and_the_next_rows_as_a_partial(monkeypatch):
    seen = _rendered(monkeypatch)
    asked: list[int | None] = []

    def page(after: int | None) -> tuple[list[str], int | None]:
        asked.append(after)
        return ["row"], 7

    pages.keyset_list(_request(HX_Request="true"), "jobs/job_list.html", "job_rows", page, "jobs", extra=1)
    assert seen["template"] == "jobs/job_list.html"
    assert seen["context"] == {"jobs": ["row"], "next_query": "after=7", "after": None, "extra": 1}
    pages.keyset_list(_request("/?after=7", HX_Request="true"), "jobs/job_list.html", "job_rows", page, "jobs")
    assert seen["template"] == "jobs/job_list.html#job_rows"
    pages.keyset_list(_request("/?after=7"), "jobs/job_list.html", "job_rows", page, "jobs")
    assert seen["template"] == "jobs/job_list.html"
    assert asked == [None, 7, 7]


def test_it_ignores_a_cursor_that_is_not_an_id(monkeypatch):
    seen = _rendered(monkeypatch)
    for after in ("-1", "0", "x", str(2**63)):
        pages.keyset_list(_request(f"/?after={after}"), "t.html", "rows", lambda after: ([], None), "rows")
        assert seen["context"]["after"] is None


def test_it_keeps_the_filter_the_page_shows_while_it_polls():
    poll = _request(
        "/?part=progress&result=ok", HX_Request="true", HX_Current_URL="http://x/p/acme/jobs/1/?result=error"
    )
    assert pages.progress_request(poll) == pages.ProgressRequest(polling=True, result="error", after=None)
    page = _request("/?result=ok&after=5")
    assert pages.progress_request(page) == pages.ProgressRequest(polling=False, result="ok", after=5)


def test_it_chooses_the_progress_page_or_its_partial():
    htmx = _request(HX_Request="true")
    context: dict[str, Any] = {}
    polling = pages.ProgressRequest(polling=True, result="", after=None)
    assert pages.progress_template(htmx, polling, "p.html", context, rows="r", section="s") == "p.html#progress"
    assert context == {"oob": True}
    more = pages.ProgressRequest(polling=False, result="", after=3)
    assert pages.progress_template(htmx, more, "p.html", {}, rows="r", section="s") == "p.html#r"
    first = pages.ProgressRequest(polling=False, result="", after=0)
    assert pages.progress_template(htmx, first, "p.html", {}, rows="r", section="s") == "p.html#s"
    assert pages.progress_template(_request(), polling, "p.html", {}, rows="r", section="s") == "p.html"
    restore = _request(HX_Request="true", HX_History_Restore_Request="true")
    assert pages.progress_template(restore, polling, "p.html", {}, rows="r", section="s") == "p.html"


def _job(acme: Any, olga: Any) -> Job:
    return create_job(acme, olga, "bulk", [], action="alarm_off")


def _messages(request: HtmxHttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_it_tells_what_a_control_did_with_its_outcome_and_goes_back_to_the_page(acme, olga):
    job = _job(acme, olga)
    request = _request(method="post", user=olga, HX_Request="true")
    response = pages.control(
        request,
        "acme",
        Job.objects.all(),
        job.id,
        lambda job, user: 3,
        ("Trying {outcome} again.", "No."),
        lambda j: "/j/",
    )
    assert response["HX-Redirect"] == "/j/"
    assert _messages(request) == [("success", "Trying 3 again.")]


def test_it_says_a_control_was_refused_when_it_changed_nothing(acme, olga):
    job = _job(acme, olga)
    request = _request(method="post", user=olga)
    response = pages.control(
        request, "acme", Job.objects.all(), job.id, lambda j, u: False, ("Done.", "No."), lambda j: "/j/"
    )
    assert response.status_code == 302 and response["Location"] == "/j/"
    assert _messages(request) == [("error", "No.")]


def test_it_lets_only_operators_use_a_control(acme, olga, victor):
    job = _job(acme, olga)
    with pytest.raises(PermissionDenied):
        pages.control(
            _request(method="post", user=victor), "acme", Job.objects.all(), job.id, lambda j, u: True, ("", ""), str
        )
