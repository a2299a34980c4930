"""core.http: the request helpers every view shares."""

from typing import cast

from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from core.http import CHANGE_METHODS, FORM_METHODS, READ_METHODS, HtmxHttpRequest, redirect_to, wants_partial


def _request(**headers: str) -> HtmxHttpRequest:
    request = RequestFactory().get("/", headers=headers)
    HtmxMiddleware(lambda _request: HttpResponse())(request)
    return cast(HtmxHttpRequest, request)


def test_it_names_each_set_of_methods_once():
    assert READ_METHODS == ("GET", "HEAD")
    assert FORM_METHODS == ("GET", "HEAD", "POST")
    assert CHANGE_METHODS == ("POST",)


def test_it_redirects_a_plain_request_with_a_302():
    response = redirect_to(_request(), "/p/acme/jobs/1/")
    assert response.status_code == 302
    assert response["Location"] == "/p/acme/jobs/1/"


def test_it_redirects_an_htmx_request_with_hx_redirect():
    response = redirect_to(_request(HX_Request="true"), "/p/acme/jobs/1/")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/p/acme/jobs/1/"


def test_it_gives_a_partial_to_htmx_only():
    assert wants_partial(_request(HX_Request="true")) is True
    assert wants_partial(_request()) is False


def test_it_gives_the_whole_page_to_a_history_restore():
    assert wants_partial(_request(HX_Request="true", HX_History_Restore_Request="true")) is False
