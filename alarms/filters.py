"""The alarm feed's filters and page cursor, read from the query string. The same form
reads the page, its "more" link and the poll for new alarms, so they always agree."""

from typing import Any

from django import forms

from core.filters import chosen, query_string
from core.querystring import MAX_ID

# The alarm statuses a Core Server sends (rop.alarms.ALARM_STATUSES), in words.
STATUS_CHOICES = [
    ("", "Any alarm"),
    ("MD", "Motion"),
    ("videoLoss", "Video loss"),
    ("blind", "Camera blinded"),
    ("IOAlarm", "I/O alarm"),
    ("none", "No status"),
]
# The smart-detection types the issue names; "none" = an alarm without one.
AI_TYPE_CHOICES = [
    ("", "Any detection"),
    ("people", "People"),
    ("vehicle", "Vehicle"),
    ("face", "Face"),
    ("dog_cat", "Dog or cat"),
    ("other", "Other"),
    ("none", "No smart detection"),
]
FILTER_NAMES = ("device", "tag", "status", "ai_type", "online")


class AlarmFilterForm(forms.Form):
    device = forms.CharField(
        required=False,
        max_length=64,
        label="Device",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "UID or name"}),
    )
    tag = forms.CharField(
        required=False,
        max_length=50,
        label="Tag",
        widget=forms.TextInput(attrs={"placeholder": "Tag", "list": "known-tags"}),
    )
    status = forms.ChoiceField(required=False, label="Alarm", choices=STATUS_CHOICES)
    ai_type = forms.ChoiceField(required=False, label="Detection", choices=AI_TYPE_CHOICES)
    online = forms.ChoiceField(
        required=False,
        label="Device status",
        choices=[("", "Device online or not"), ("yes", "Device online now"), ("no", "Device offline now")],
    )
    # Keyset cursors: the last id shown (older ones follow) and, for the poll, the newest.
    after = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    since = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)
    # The poll: when the page last heard from the server (seconds since the epoch); events
    # on the page whose count moved after it come back out of band.
    seen = forms.FloatField(required=False, min_value=0, max_value=1e11, widget=forms.HiddenInput)

    def clean_device(self) -> str:
        return str(self.cleaned_data["device"]).strip()

    def clean_tag(self) -> str:
        return str(self.cleaned_data["tag"]).strip()

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FILTER_NAMES]


def filter_values(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Only the values that choose alarms, blanks dropped."""
    return chosen(cleaned, FILTER_NAMES)


def filter_query(cleaned: dict[str, Any], **extra: object) -> str:
    """The query string of a filter (plus `extra`), for links that keep it."""
    return query_string(cleaned, FILTER_NAMES, **extra)
