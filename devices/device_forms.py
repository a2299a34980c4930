"""Forms of the device page and onboarding. Each field runs the same rule the ROP
client enforces (rop.validation), so a user sees the spec's rule as a field error
instead of a request the Core Server would reject."""

from collections.abc import Callable
from typing import Any, cast

from django import forms

from rop import errors as rop_errors
from rop import validation

from .models import Device
from .ptz_commands import PTZ_COMMANDS


def _spec_rule[T](rule: Callable[..., T], value: Any, *args: Any) -> T:
    try:
        return rule(value, *args)
    except rop_errors.InvalidParameter as exc:
        text = exc.message
        raise forms.ValidationError(text[:1].upper() + text[1:] + ".") from None


class AlarmForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("true", "on"), ("false", "off")], coerce=lambda v: v == "true")


class PirForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="PIR detection enabled")
    sensitivity = forms.IntegerField(label="Sensitivity (0–100)")
    reduce_mistakes = forms.BooleanField(required=False, label="Reduce false alarms")

    def clean_sensitivity(self) -> int:
        return _spec_rule(validation.validate_sensitivity, self.cleaned_data["sensitivity"])


class RenameForm(forms.Form):
    # strip=False: the spec forbids leading/trailing spaces; say so rather than
    # silently sending something other than what was typed.
    name = forms.CharField(
        strip=False, label="Display name", help_text="1–31 characters: letters, digits, spaces and hyphens."
    )

    def clean_name(self) -> str:
        return _spec_rule(validation.validate_device_name, self.cleaned_data["name"])


def _set_channel_choices(form: forms.Form, device: Device) -> None:
    field = cast(forms.TypedChoiceField, form.fields["channel"])
    field.choices = [(i, f"Channel {i}") for i in range(max(1, device.channel_count))]


class StreamForm(forms.Form):
    """Channel and stream type, for snapshots and live view."""

    channel = forms.TypedChoiceField(coerce=int, initial=0)
    stream = forms.ChoiceField(
        choices=[(s, s) for s in validation.LIVE_STREAM_TYPES], initial="subStream", label="Stream"
    )

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_channel_choices(self, device)


# One field for the pad's buttons (each is a submit button with its own value), so
# the pad works as a plain form too: "zoom_in", "focus_out", "rotate:left", "rotate:none"...
PTZ_MOVES = [*PTZ_COMMANDS, *(f"rotate:{d}" for d in validation.DIRECTIONS)]


class PtzForm(forms.Form):
    move = forms.ChoiceField(choices=[(m, m) for m in PTZ_MOVES])
    speed = forms.IntegerField(initial=32, required=False)
    # Django takes any empty value; the stubs say str.
    channel = forms.TypedChoiceField(coerce=int, initial=0, required=False, empty_value=0)  # type: ignore[arg-type]

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_channel_choices(self, device)

    def clean_speed(self) -> int:
        speed = self.cleaned_data["speed"]
        return 32 if speed is None else _spec_rule(validation.validate_speed, speed)

    @property
    def direction(self) -> str | None:
        move = self.cleaned_data["move"]
        return move.split(":", 1)[1] if move.startswith("rotate:") else None


class WifiForm(forms.Form):
    ssid = forms.CharField(strip=False, label="Network name (SSID)")
    # Never rendered back: the key must not travel to the browser again.
    key = forms.CharField(
        strip=False,
        required=False,
        label="Key",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    country_code = forms.CharField(
        label="Country code", initial="US", max_length=2, help_text="Two letters, e.g. US, DE, GB."
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, require_confirm: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.require_confirm = require_confirm

    def clean_ssid(self) -> str:
        return _spec_rule(validation.validate_ssid, self.cleaned_data["ssid"])

    def clean_key(self) -> str:
        return _spec_rule(validation.validate_wifi_key, self.cleaned_data["key"])

    def clean_country_code(self) -> str:
        return _spec_rule(validation.validate_country_code, self.cleaned_data["country_code"])

    def clean_confirm(self) -> bool:
        if self.require_confirm and not self.cleaned_data.get("confirm"):
            raise forms.ValidationError("Tick this box to confirm you understand the risk.")
        return bool(self.cleaned_data.get("confirm"))


class OnboardForm(forms.Form):
    uid = forms.CharField(
        label="Device UID",
        max_length=16,
        help_text="16 uppercase letters or digits, as printed on the camera's label.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "952700000A5S348E"}),
    )

    def clean_uid(self) -> str:
        return _spec_rule(validation.validate_uid, self.cleaned_data["uid"])
