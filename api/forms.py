"""The API's own query parameters: paging and format (every list), the filters of the
lists the console has no filter form for, and the console's token form. The console's
lists bring their own filter forms (devices, alarms, audit)."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from jobs.models import OPEN_ITEM_STATES

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class PageParams(forms.Form):
    limit = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, help_text=f"Rows per page (default {DEFAULT_LIMIT})."
    )
    cursor = forms.CharField(
        required=False, max_length=400, help_text="The `cursor` of the previous page: the next page starts after it."
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "json"), ("json", "json"), ("csv", "csv")],
        help_text="csv streams every matching row (no paging); the .csv path does the same.",
    )


class NoFilters(forms.Form):
    """A list the console shows without filters (firmware library, jobs, rollouts)."""


class HealthFilterForm(forms.Form):
    device = forms.CharField(required=False, max_length=16, label="Device UID")
    since = forms.DateField(required=False, help_text="Samples taken on or after this day (UTC).")
    until = forms.DateField(required=False, help_text="Samples taken on or before this day (UTC).")

    def clean_device(self) -> str:
        return str(self.cleaned_data["device"]).strip().upper()


class ResultFilterForm(forms.Form):
    """A job's or rollout's devices, as the job page filters them: an open state or a result."""

    result = forms.CharField(
        required=False,
        max_length=32,
        help_text=f"An open state ({', '.join(sorted(map(str, OPEN_ITEM_STATES)))}) or one of the kind's results.",
    )


def day_start(day: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))  # type: ignore[arg-type]


def day_end(day: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))  # type: ignore[arg-type]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “BI nightly export”.")
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the token stops working at the end of this day (UTC).",
    )

    def clean_expires_on(self) -> object:
        day = self.cleaned_data["expires_on"]
        if day and day_end(day) <= timezone.now():
            raise forms.ValidationError("Choose a day from today on.")
        return day
