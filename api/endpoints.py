"""How an API view declares itself: its path, its rows' schema, its filter form and its
summary. `@endpoint` registers the view (api/urls.py routes it, as JSON and as `.csv`;
api/openapi.py documents it), checks access, paging and filters before the view runs,
and turns every failure into the JSON error shape."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponseBase
from pydantic import BaseModel

from core.form_messages import error_lines
from partners.access import Access

from .auth import api_access
from .errors import ApiError, api_view
from .forms import DEFAULT_LIMIT, PageParams
from .schemas import Row, page_model


@dataclass(frozen=True)
class Call:
    """One API request, checked: whose, which page, which format, which filters."""

    access: Access
    limit: int
    cursor: str
    csv: bool
    filters: dict[str, Any]


type ApiView = Callable[..., HttpResponseBase]


@dataclass
class Endpoint:
    name: str  # URL name and CSV file name: "devices", "rollout_results"
    path: str  # under /api/v1/partners/<slug>/, e.g. "rollouts/<int:rollout_id>/results"
    summary: str
    row: type[Row]
    filters: type[forms.Form]
    # The filter form's fields that are the console's own paging, replaced by `cursor` here.
    paging_fields: tuple[str, ...] = ()
    description: str = ""
    view: ApiView | None = None
    page: type[BaseModel] = field(init=False)

    def __post_init__(self) -> None:
        self.page = page_model(self.row)

    def filter_fields(self) -> dict[str, forms.Field]:
        return {n: f for n, f in self.filters.base_fields.items() if n not in self.paging_fields}


ENDPOINTS: list[Endpoint] = []


def endpoint(
    name: str,
    path: str,
    summary: str,
    row: type[Row],
    filters: type[forms.Form],
    *,
    paging_fields: tuple[str, ...] = (),
    description: str = "",
) -> Callable[[Callable[..., HttpResponseBase]], ApiView]:
    ep = Endpoint(name, path, summary, row, filters, paging_fields, description)

    def register(view: Callable[..., HttpResponseBase]) -> ApiView:
        def checked(request: HttpRequest, slug: str, as_csv: bool = False, **ids: Any) -> HttpResponseBase:
            return view(request, begin(request, slug, ep, as_csv), ep, **ids)

        checked.__name__ = checked.__qualname__ = view.__name__
        checked.__doc__ = view.__doc__
        ep.view = api_view(checked)
        ENDPOINTS.append(ep)
        return ep.view

    return register


def begin(request: HttpRequest, slug: str, ep: Endpoint, as_csv: bool) -> Call:
    access = api_access(request, slug)
    params = PageParams(request.GET)
    if not params.is_valid():
        raise ApiError(400, "bad_parameter", " ".join(error_lines(params)))
    data = request.GET.copy()
    for name in ep.paging_fields:
        data.pop(name, None)
    form = ep.filters(data)
    if not form.is_valid():
        raise ApiError(400, "bad_filter", " ".join(error_lines(form)))
    return Call(
        access=access,
        limit=params.cleaned_data["limit"] or DEFAULT_LIMIT,
        cursor=params.cleaned_data["cursor"],
        csv=as_csv or params.cleaned_data["format"] == "csv",
        filters=form.cleaned_data,
    )
