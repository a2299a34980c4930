"""The device list as CSV, for partners' reporting tools: streamed row by row, so a
100,000-device export never sits in memory, with stable machine-readable values."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from partners.models import Partner

from . import selectors
from .filters import filter_values
from .models import Device

HEADER = [
    "uid",
    "name",
    "model",
    "family",
    "firmware",
    "online",
    "last_seen",
    "battery",
    "charge",
    "alarm",
    "tags",
    "transport",
]
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """csv.writer wants a file; this one hands each line back to the generator."""

    def write(self, value: str) -> str:
        return value


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _row(device: Device) -> list[str | int]:
    return [
        device.uid,
        _text(device.display_name),
        _text(device.model),
        device.family,
        _text(device.firmware_version),
        _flag(device.online),
        device.last_seen.isoformat() if device.last_seen else "",
        "" if device.battery_percent is None else device.battery_percent,
        device.charge_status,
        _flag(device.alarm_enabled),
        _text("; ".join(sorted(tag.name for tag in device.tags.all()))),
        device.transport,
    ]


def _lines(devices: Iterable[Device]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for device in devices:
        yield writer.writerow(_row(device))


def csv_response(partner: Partner, cleaned: dict[str, Any]) -> StreamingHttpResponse:
    qs = selectors.filtered_devices(partner, filter_values(cleaned))
    response = StreamingHttpResponse(
        _lines(selectors.export_rows(qs, cleaned["sort"])), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{partner.slug}-devices-{stamp}.csv"'
    return response
