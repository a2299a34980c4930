"""The device list's filters, sort orders and page cursor, read from the query string.

The same form reads the list page, the CSV export and a bulk action's "all matching
the filter" (which re-reads the filter the page was showing), so the three can
never disagree about which devices a filter means."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms

from core.filters import chosen, query_string
from core.widget_html import PYTHON_WIDGETS

from .models import ChargeStatus, Family

# The list's columns that sort, and the key each walks: ends in a unique column so
# the order is total (keyset pagination needs that) and each key matches an index
# led by partner (see Device.Meta.indexes).
SORT_KEYS = {
    "name": ("display_name", "id"),
    "uid": ("uid",),  # unique per partner: the constraint's index serves it
    "model": ("model", "firmware_version", "id"),
    "firmware": ("firmware_version", "id"),
    "battery": ("battery_percent", "id"),
    "last_seen": ("last_seen", "id"),
}
# Sort keys whose first column may be NULL: those rows come last in both directions.
NULLABLE_KEYS = {"battery_percent", "last_seen"}
# Sort keys whose first column may be blank, shown as "(no name)": those rows come last
# in both directions too, as NULLs do (a fresh fleet's first read is mostly blank names).
BLANK_KEYS = {"display_name"}
SORT_CHOICES = [(name, name) for name in SORT_KEYS] + [(f"-{name}", f"-{name}") for name in SORT_KEYS]
DEFAULT_SORT = "name"

# Query-string names that choose devices (not how they are shown or paged).
FILTER_NAMES = ("q", "online", "transport", "family", "model", "firmware", "battery_below", "charge", "alarm", "tag")
# The ones used less often: the page keeps them under "More filters" (open when one is set).
MORE_FILTER_NAMES = ("transport", "family", "charge", "alarm", "tag")


@dataclass(frozen=True)
class Sort:
    name: str
    desc: bool

    @classmethod
    def parse(cls, value: str) -> "Sort":
        value = value or DEFAULT_SORT
        return cls(value.lstrip("-"), value.startswith("-"))

    @property
    def keys(self) -> tuple[str, ...]:
        return SORT_KEYS[self.name]

    def __str__(self) -> str:
        return f"-{self.name}" if self.desc else self.name


class DeviceFilterForm(forms.Form):
    """The list's filter controls are rendered from these fields (labels, choices,
    limits, placeholders): the template holds no copy of them. Their markup is written in
    Python (core.widget_html): through the widget templates it cost 3 ms a page."""

    default_renderer = PYTHON_WIDGETS

    q = forms.CharField(
        required=False,
        max_length=64,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "UID, name or model"}),
    )
    online = forms.ChoiceField(
        required=False, label="Status", choices=[("", "Any status"), ("yes", "Online"), ("no", "Offline")]
    )
    transport = forms.ChoiceField(
        required=False, label="Transport", choices=[("", "Any transport"), ("rop", "Core Server"), ("lan", "LAN")]
    )
    family = forms.ChoiceField(required=False, label="Family", choices=[("", "Any family"), *Family.choices])
    # The datalists of known values are the page's (filled from the partner's fleet).
    model = forms.CharField(
        required=False,
        max_length=31,
        label="Model",
        widget=forms.TextInput(attrs={"placeholder": "Any model", "list": "known-models"}),
    )
    firmware = forms.CharField(
        required=False,
        max_length=31,
        label="Firmware",
        widget=forms.TextInput(attrs={"placeholder": "Any version", "list": "known-firmware"}),
    )
    battery_below = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Battery below %",
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 50", "class": "narrow-input"}),
    )
    charge = forms.ChoiceField(
        required=False, label="Charging", choices=[("", "Any charge state"), *ChargeStatus.choices]
    )
    alarm = forms.ChoiceField(
        required=False,
        label="Alarm notifications",
        choices=[("", "Alarms on or off"), ("on", "Alarms on"), ("off", "Alarms off")],
    )
    tag = forms.CharField(
        required=False,
        max_length=50,
        label="Tag",
        widget=forms.TextInput(attrs={"placeholder": "Any tag", "list": "known-tags"}),
    )
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    after = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"]).strip()

    def clean_model(self) -> str:
        return str(self.cleaned_data["model"]).strip()

    def clean_firmware(self) -> str:
        return str(self.cleaned_data["firmware"]).strip()

    def clean_tag(self) -> str:
        return str(self.cleaned_data["tag"]).strip()

    def clean_sort(self) -> Sort:
        return Sort.parse(self.cleaned_data["sort"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        sort = data.get("sort") or Sort.parse("")
        if data.get("after"):
            try:
                data["after"] = decode_cursor(data["after"], sort)
            except ValueError:
                self.add_error("after", "This page link is out of date. Start again from the first page.")
        else:
            data["after"] = None
        return data

    def filter_fields(self) -> list[forms.BoundField]:
        """The controls that choose devices."""
        return [self[name] for name in FILTER_NAMES]

    def main_filter_fields(self) -> list[forms.BoundField]:
        """The controls the page always shows, in its order."""
        return [self[name] for name in FILTER_NAMES if name not in MORE_FILTER_NAMES]

    def more_filter_fields(self) -> list[forms.BoundField]:
        """The controls under "More filters"."""
        return [self[name] for name in MORE_FILTER_NAMES]

    def more_filters_chosen(self) -> int:
        """How many of the "More filters" are set (as the query string has them)."""
        return sum(1 for name in MORE_FILTER_NAMES if str(self.data.get(name, "")).strip())


def filter_values(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Only the values that choose devices, blanks dropped."""
    return chosen(cleaned, FILTER_NAMES)


def filter_query(cleaned: dict[str, Any], **extra: object) -> str:
    """The query string of a filter (plus `extra`), for links that keep it."""
    return query_string(cleaned, FILTER_NAMES, **extra)


# --- the page cursor: the last row's sort key, opaque to users ----------------------------


# One column's value in a cursor, as a sort key column holds it; a cursor is the last
# row's values of its sort's key columns.
type KeyValue = int | str | datetime | None
type Cursor = tuple[KeyValue, ...]


def encode_cursor(sort: Sort, values: Cursor) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps({"s": str(sort), "k": plain}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, sort: Sort) -> Cursor:
    """The key values in `token`, checked against the sort's columns; ValueError if not."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(data, dict) or data.get("s") != str(sort) or not isinstance(data.get("k"), list):
        raise ValueError("cursor of another sort")
    keys, values = sort.keys, data["k"]
    if len(values) != len(keys):
        raise ValueError("wrong length")
    return tuple(
        _key_value(key, value, first=(i == 0)) for i, (key, value) in enumerate(zip(keys, values, strict=True))
    )


def _key_value(key: str, value: object, *, first: bool) -> KeyValue:
    if value is None and first and key in NULLABLE_KEYS | BLANK_KEYS:
        return None  # the cursor is in the NULL (or blank) tail
    if key in ("id", "battery_percent"):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
            raise ValueError(key)
        return value
    if not isinstance(value, str) or len(value) > 64 or "\x00" in value:  # PostgreSQL refuses NUL
        raise ValueError(key)
    if key == "last_seen":
        moment = datetime.fromisoformat(value)  # ValueError when it is not a date
        if moment.tzinfo is None:
            raise ValueError(key)
        return moment
    return value
