"""Choosing the devices an action is for: a bulk action, a firmware rollout, a recordings
search. The operator chooses them on the device list, either as a selection (the ticked
boxes' ids, `device=<id>` repeated; the recordings search names its devices by uid) or as
the list's filters ("all matching", run again when the action starts, in the list's order).

Always within one partner (another partner's ids find nothing) and at most MAX_DEVICES
devices, the one limit of all three: more is one job too large to follow, and as ticked
boxes a form Django refuses (DATA_UPLOAD_MAX_NUMBER_FIELDS is above it); the operator
narrows the filter and works in parts. What was sent is read by `parse_ids` (and
`SelectionField` for forms): a bad id is a form error in words, never a database error."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.querystring import MAX_ID
from partners.models import Partner

from . import selectors
from .models import Device

MAX_DEVICES = 10_000
_UID_LENGTH = 16
INVALID = "The selection is not valid. Reload the page and select again."


class TooManyDevices(Exception):
    def __init__(self, limit: int = MAX_DEVICES) -> None:
        super().__init__(
            f"This would change more than {limit:,} devices. Narrow the filter "
            "(for example by model or tag) and run the action in parts."
        )


class InvalidSelection(ValueError):
    def __init__(self) -> None:
        super().__init__(INVALID)


def parse_ids(values: Iterable[object], limit: int = MAX_DEVICES, *, drop_invalid: bool = False) -> list[int]:
    """A selection's ids, sorted, each once. Each must be plain ASCII digits naming an id
    from 1 to MAX_ID: anything else raises InvalidSelection (or, with `drop_invalid`, is
    left out). More than `limit` values: TooManyDevices."""
    values = list(values)
    if len(values) > limit:
        raise TooManyDevices(limit)
    ids = set()
    for value in values:
        number = _id(value)
        if number is not None:
            ids.add(number)
        elif not drop_invalid:
            raise InvalidSelection()
    return sorted(ids)


def _id(value: object) -> int | None:
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID))):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_uids(values: Iterable[object], limit: int = MAX_DEVICES) -> list[str]:
    """A selection by uid (the recordings search's), each once, in the order given."""
    values = list(values)
    if len(values) > limit:
        raise TooManyDevices(limit)
    if not all(isinstance(value, str) and 0 < len(value) <= _UID_LENGTH for value in values):
        raise InvalidSelection()
    return list(dict.fromkeys(str(value) for value in values))


def chosen_devices(
    partner: Partner,
    *,
    device_ids: Iterable[int] | None = None,
    uids: Iterable[str] | None = None,
    filters: dict[str, Any] | None = None,
    sort: Any = None,
) -> QuerySet[Device]:
    """The partner's devices chosen: by ids or uids when given (a selection, by name), else
    every device matching `filters`, in the list's order for `sort` (when given)."""
    if device_ids is not None:
        return Device.objects.filter(partner=partner, id__in=list(device_ids)).order_by("display_name", "uid")
    if uids is not None:
        return Device.objects.filter(partner=partner, uid__in=list(uids)).order_by("display_name", "uid")
    matching = selectors.filtered_devices(partner, filters or {})
    return matching.order_by(*selectors.ordering(sort)) if sort is not None else matching


def resolve(partner: Partner, *, limit: int = MAX_DEVICES, **choice: Any) -> list[int]:
    """The ids of the devices chosen (as `chosen_devices`), at most `limit`: more raise
    TooManyDevices."""
    ids = list(chosen_devices(partner, **choice).values_list("id", flat=True)[: limit + 1])
    if len(ids) > limit:
        raise TooManyDevices(limit)
    return ids


class SelectionField(forms.Field):
    """The devices ticked on the device list (hidden inputs, ids), read by `parse_ids`:
    a bad id or too many are the field's error in words (`drop_invalid`: bad ids left out)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int = MAX_DEVICES, drop_invalid: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Devices")
        super().__init__(**kwargs)
        self.limit = limit
        self.drop_invalid = drop_invalid

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([] if value in self.empty_values else [value])
        try:
            return parse_ids(values, self.limit, drop_invalid=self.drop_invalid)
        except TooManyDevices as exc:
            raise forms.ValidationError(f"Select at most {self.limit:,} devices, or use the filters.") from exc
        except InvalidSelection as exc:
            raise forms.ValidationError(INVALID) from exc
