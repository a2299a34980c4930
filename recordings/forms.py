"""The recordings section's choices (channel, day, time range, stream, month), the
playback request and the fleet search. The feed links with `start` and `end` as ISO
datetimes; the section's own controls send a day and times of day: both are taken."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from devices.models import Device

STREAMS = [("mainStream", "Main stream"), ("subStream", "Sub stream")]
DAY_START = dt.time(0, 0, 0)
DAY_END = dt.time(23, 59, 59)


def parse_moment(text: str) -> dt.datetime | dt.time:
    """ "HH:MM[:SS]" or an ISO datetime (with or without an offset). Camera times carry
    no zone in ROP; the console takes them as UTC, as it shows times (docs/recordings.md)."""
    text = text.strip()
    try:
        return dt.time.fromisoformat(text).replace(microsecond=0, tzinfo=None)
    except ValueError:
        pass
    moment = dt.datetime.fromisoformat(text)
    if timezone.is_aware(moment):
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class MomentField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=40, **kwargs)

    def clean(self, value: Any) -> dt.datetime | dt.time | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_moment(text)
        except ValueError:
            raise forms.ValidationError("Give a time such as 14:30 or 14:30:00.") from None


class DayForm(forms.Form):
    """What the section shows; every field has a default, so a bare link works."""

    channel = forms.IntegerField(required=False, min_value=0, label="Channel")
    stream = forms.ChoiceField(required=False, choices=STREAMS, label="Stream")
    day = forms.DateField(required=False, label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    start = MomentField(label="From", widget=forms.TimeInput(attrs={"type": "time", "step": "1"}))
    end = MomentField(label="To", widget=forms.TimeInput(attrs={"type": "time", "step": "1"}))
    month = forms.CharField(required=False, max_length=7, widget=forms.HiddenInput)
    # Call a battery camera (wakes it) or a device the console believes offline.
    ask = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, device: Device, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.today = today
        self.channels = max(1, device.channel_count)

    def clean_month(self) -> dt.date | None:
        text = self.cleaned_data["month"]
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("Give a month as YYYY-MM.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start, end, day = data.get("start"), data.get("end"), data.get("day")
        if isinstance(start, dt.datetime):
            day = day or start.date()
            start = start.time() if start.date() == day else DAY_START
        if isinstance(end, dt.datetime):
            day = day or end.date()
            end = end.time() if end.date() == day else DAY_END
        data["day"] = day = day or self.today
        data["start"] = start or DAY_START
        data["end"] = end or DAY_END
        if data["start"] >= data["end"]:
            self.add_error("end", "The end must be after the start.")
        if day > self.today:
            self.add_error("day", "That day has not happened yet.")
        data["channel"] = data.get("channel") or 0
        if data["channel"] >= self.channels:
            self.add_error("channel", f"This device has channels 0 to {self.channels - 1}.")
        data["stream"] = data.get("stream") or "mainStream"
        data["month"] = data.get("month") or day.replace(day=1)
        return data


class PlaybackForm(forms.Form):
    channel = forms.IntegerField(min_value=0, max_value=31)
    file = forms.CharField(max_length=255)

    def clean_file(self) -> str:
        name = str(self.cleaned_data["file"])
        if "\x00" in name or len(name.encode()) > 255:
            raise forms.ValidationError("That is not a recording's file name.")
        return name


class SearchForm(forms.Form):
    """A fleet-wide search: one day and time range, which devices (a selection of
    UIDs, or the device list's filters such as a tag), and whether to wake battery cameras."""

    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    start = MomentField(label="From", widget=forms.TimeInput(attrs={"type": "time", "step": "1"}))
    end = MomentField(label="To", widget=forms.TimeInput(attrs={"type": "time", "step": "1"}))
    stream = forms.ChoiceField(required=False, choices=STREAMS, label="Stream")
    wake_battery = forms.BooleanField(
        required=False, label="Also ask battery cameras (wakes them up and costs battery)"
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
            self.add_error("start", "Give times of day; the day is its own field.")
            return data
        data["start"] = start or DAY_START
        data["end"] = end or DAY_END
        data["stream"] = data.get("stream") or "mainStream"
        if data["start"] >= data["end"]:
            self.add_error("end", "The end must be after the start.")
        if data["day"] > self.today:
            self.add_error("day", "That day has not happened yet.")
        return data
