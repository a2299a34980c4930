"""Pages and streams: a JSON page with an opaque keyset cursor and a `next` link, or
every matching row as CSV, streamed in keyset batches so memory stays flat whatever the
row count."""

import base64
import binascii
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from pydantic import BaseModel

from core.pagination import id_page
from core.querystring import MAX_ID

from .errors import ApiError

CSV_BATCH = 2000
CSV_CHUNK = 64 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

type RowsOf[M] = Callable[[list[M]], list[dict[str, Any]]]


# --- cursors --------------------------------------------------------------------------


def encode_id(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last_id}).encode()).decode().rstrip("=")


def decode_id(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad_cursor() from exc
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise bad_cursor()
    return value


def bad_cursor() -> ApiError:
    return ApiError(400, "bad_cursor", "This cursor is not one this list gave: start again without it.")


# --- JSON -----------------------------------------------------------------------------


def json_page(
    request: HttpRequest, page_model: type[BaseModel], rows: list[dict[str, Any]], cursor: str | None
) -> JsonResponse:
    """Rows validated against the declared schema (so the document never lies) and the next link."""
    next_url = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    page = page_model.model_validate({"data": rows, "cursor": cursor, "next": next_url})
    return JsonResponse(page.model_dump(mode="json"))


def id_json_page[M: Model](
    request: HttpRequest,
    page_model: type[BaseModel],
    qs: QuerySet[M],
    rows_of: RowsOf[M],
    limit: int,
    cursor: str,
    *,
    newest_first: bool = True,
) -> JsonResponse:
    objects, last_id = id_page(qs, limit, decode_id(cursor) if cursor else None, newest_first=newest_first)
    return json_page(request, page_model, rows_of(objects), encode_id(last_id) if last_id else None)


# --- CSV ------------------------------------------------------------------------------


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def cell(value: object) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    """csv.writer wants a file; this one hands each line back to the generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text in pieces of about CSV_CHUNK characters: a piece per row would cost a
    trip through the response machinery (and a write to the socket) per row."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    lines: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow([cell(row[c]) for c in columns])
        lines.append(line)
        size += len(line)
        if size >= CSV_CHUNK:
            yield "".join(lines)
            lines, size = [], 0
    if lines:
        yield "".join(lines)


def id_batches[M: Model](qs: QuerySet[M], rows_of: RowsOf[M], *, newest_first: bool = True) -> Iterator[dict[str, Any]]:
    """Every row of qs, read CSV_BATCH at a time by id (each batch its own short query)."""
    last_id: int | None = None
    while True:
        objects, last_id = id_page(qs, CSV_BATCH, last_id, newest_first=newest_first)
        yield from rows_of(objects)
        if last_id is None:
            return


def csv_response(
    name: str, slug: str, row_model: type[BaseModel], rows: Iterable[dict[str, Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(list(row_model.model_fields), rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{name}-{stamp}.csv"'
    return response
