"""The OpenAPI 3.1 document, generated from what the views declare (api.endpoints):
each list's path, its row model (pydantic's JSON Schema), its filter form's fields (as
query parameters, with their choices and limits) and the shared paging parameters."""

import re
from typing import Any

from django import forms
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .endpoints import ENDPOINTS, Endpoint
from .forms import PageParams
from .schemas import Error

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "A filter, the limit or the cursor is not valid.",
    "401": "No token, or one that is unknown, revoked or expired, or whose maker left the partner.",
    "404": "No such partner for this caller, or no such object.",
    "405": "Anything but GET or HEAD.",
    "429": "The token used its requests of the minute (API_TOKEN_RATE_PER_MINUTE); Retry-After says when to retry.",
}
# What Django's forms refuse in any text: a NUL character (ProhibitNullCharactersValidator).
NO_NUL = "^[^\\x00]*$"


def field_schema(field: forms.Field) -> dict[str, Any]:
    """A form field as a query parameter's schema: the form is the one definition."""
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [str(value) for value, _ in field.choices]}  # type: ignore[union-attr,misc]
    if isinstance(field, forms.IntegerField):
        schema: dict[str, Any] = {"type": "integer"}
        for validator in field.validators:
            limit = getattr(validator, "limit_value", None)
            if validator.code == "min_value":  # type: ignore[attr-defined]
                schema["minimum"] = limit
            elif validator.code == "max_value":  # type: ignore[attr-defined]
                schema["maximum"] = limit
        return schema
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema = {"type": "string", "pattern": NO_NUL}
    if isinstance(field, forms.CharField) and field.max_length:
        schema["maxLength"] = field.max_length
    return schema


def query_parameters(fields: dict[str, forms.Field]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": str(field.help_text or field.label or name),
            "schema": field_schema(field),
        }
        for name, field in fields.items()
    ]


def openapi_path(ep: Endpoint) -> tuple[str, list[dict[str, Any]]]:
    """The document's path and its path parameters, from the Django route."""
    params = [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}}
    ]
    for name in re.findall(r"<int:(\w+)>", ep.path):
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}})
    path = re.sub(r"<int:(\w+)>", r"{\1}", ep.path)
    return f"/api/v1/partners/{{slug}}/{path}/", params


def _responses(page: type[BaseModel]) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    return {
        "200": {
            "description": "A JSON page, or with format=csv every matching row as a streamed CSV.",
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=page.__name__)}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **{status: {"description": text, "content": error} for status, text in ERRORS.items()},
    }


def document(server_url: str) -> dict[str, Any]:
    _, defs = models_json_schema(
        [(ep.page, "serialization") for ep in ENDPOINTS] + [(Error, "serialization")],
        ref_template=REF,
    )
    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        path, path_params = openapi_path(ep)
        paths[path] = {
            "get": {
                "operationId": ep.name,
                "summary": ep.summary,
                "description": ep.description or ep.summary,
                "parameters": path_params
                + query_parameters(dict(PageParams.base_fields))
                + query_parameters(ep.filter_fields()),
                "responses": _responses(ep.page),
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ROP Fleet export API",
            "version": "1",
            "description": "Read-only exports of a partner's fleet. Authenticate with `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"token": []}],
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }
