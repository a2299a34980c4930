"""The rollout create form: image, targets (a selection from the device list, or its
filters), waves, devices in flight, failure rules, deadline and factory reset."""

from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from devices.selection import MAX_DEVICES, SelectionField
from partners.models import Partner

from .models import FirmwareImage
from .rollout.services import Plan

# How the form reads: its settings in groups, each a fieldset under this legend
# (templates/firmware/rollout_new.html). Image, name, devices and the factory reset
# (with its confirmation) have fieldsets of their own in the template.
GROUPS = (
    ("Waves", ("canary", "wave_size", "wave_percent", "auto_advance_percent")),
    ("Pace", ("max_in_flight", "min_battery_percent")),
    ("Failure rules", ("file_check_limit", "min_finished", "max_failure_percent")),
    ("Schedule", ("starts_at", "window_start", "window_end", "deadline")),
)


class FieldGroup(NamedTuple):
    legend: str
    note: str
    fields: list[forms.BoundField]


class RolloutForm(forms.Form):
    image = forms.ModelChoiceField(queryset=FirmwareImage.objects.none(), label="Image", empty_label="Choose an image")
    name = forms.CharField(max_length=100, label="Name", help_text="How the rollout is listed, e.g. “Spring 2027”.")
    # Labels stand alone (each field is its own cell of a grid) and help is one short line:
    # the template groups the fields under GROUPS' legends.
    canary = forms.IntegerField(
        min_value=0,
        max_value=MAX_DEVICES,
        initial=5,
        label="Canary devices",
        help_text="Upgraded first, on their own.",
    )
    wave_size = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_DEVICES, label="Wave size (devices)", help_text="Blank: one wave."
    )
    wave_percent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Or wave size (% of devices)",
        help_text="Instead of a count.",
    )
    auto_advance_percent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Next wave by itself at % upgraded",
        help_text="Blank: wait for “Next wave”.",
    )
    max_in_flight = forms.IntegerField(
        min_value=1,
        max_value=1000,
        initial=10,
        label="Most devices upgrading at once",
        help_text="The rest wait their turn.",
    )
    min_battery_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=20,
        label="Battery minimum (%)",
        help_text="Battery devices below it are tried again later.",
    )
    min_finished = forms.IntegerField(
        min_value=1,
        max_value=MAX_DEVICES,
        initial=10,
        label="Devices finished before judging",
        help_text="The share failed is checked from then on.",
    )
    max_failure_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=20,
        label="Pause at % failed",
        help_text="Of the devices finished.",
    )
    file_check_limit = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=3,
        label="Pause after this many devices reject the image",
        help_text="A device rejects a file that is wrong for it or damaged.",
    )
    deadline = forms.DateTimeField(
        required=False,
        label="Deadline",
        help_text="Offline and asleep devices are retried until then, then skipped.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    starts_at = forms.DateTimeField(
        required=False,
        label="Start at",
        help_text="Blank: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    window_start = forms.TimeField(
        required=False,
        label="Daily window from",
        help_text="Devices start upgrading only inside it. Blank: any time.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    window_end = forms.TimeField(
        required=False,
        label="Daily window to",
        help_text="Earlier than “from”: it spans midnight. Upgrades under way at its end finish.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    factory_reset = forms.BooleanField(required=False, label="Restore factory settings after the upgrade")
    confirm_factory_reset = forms.BooleanField(
        required=False, label="I understand every device loses its settings (WiFi, names, schedules)."
    )
    # What is not an id is left out, as the form always did (tests/firmware/test_rollout_pages.py).
    device = SelectionField(drop_invalid=True)

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(partner.time_zone)
        self.time_zone = partner.time_zone
        field = self.fields["image"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = FirmwareImage.objects.filter(partner=partner).order_by("-created_at", "-id")

    def groups(self) -> list[FieldGroup]:
        """The settings as the page shows them: one fieldset per group, in order."""
        notes = {"Schedule": f"Times are in {self.time_zone}, the partner's time zone."}
        return [FieldGroup(legend, notes.get(legend, ""), [self[name] for name in names]) for legend, names in GROUPS]

    def _local(self, value: datetime | None) -> datetime | None:
        """The browser sends wall-clock times: they are the partner's, not the server's."""
        return value.replace(tzinfo=None).replace(tzinfo=self.zone) if value is not None else None

    def clean_starts_at(self) -> datetime | None:
        return self._local(self.cleaned_data.get("starts_at"))

    def clean_deadline(self) -> datetime | None:
        deadline = self._local(self.cleaned_data.get("deadline"))
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError("The deadline must be in the future.")
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("wave_size") and data.get("wave_percent"):
            self.add_error("wave_percent", "Give the wave size as a count or a percent, not both.")
        if (data.get("window_start") is None) != (data.get("window_end") is None):
            self.add_error("window_end", "Give both ends of the daily window, or neither.")
        starts_at, deadline = data.get("starts_at"), data.get("deadline")
        if starts_at and deadline and starts_at >= deadline:
            self.add_error("starts_at", "The start must come before the deadline.")
        if data.get("factory_reset") and not data.get("confirm_factory_reset"):
            self.add_error("confirm_factory_reset", "Confirm the factory reset, or untick it.")
        return data

    def plan(self) -> Plan:
        data = self.cleaned_data
        return Plan(
            name=data["name"],
            canary=data["canary"],
            wave_size=data.get("wave_size"),
            wave_percent=data.get("wave_percent"),
            max_in_flight=data["max_in_flight"],
            auto_advance_percent=data.get("auto_advance_percent"),
            min_battery_percent=data["min_battery_percent"],
            min_finished=data["min_finished"],
            max_failure_percent=data["max_failure_percent"],
            file_check_limit=data["file_check_limit"],
            factory_reset=bool(data.get("factory_reset")),
            deadline=data.get("deadline"),
            starts_at=data.get("starts_at"),
            window_start=data.get("window_start"),
            window_end=data.get("window_end"),
        )
