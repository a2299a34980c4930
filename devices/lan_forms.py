"""Forms of LAN devices: adding one, its connection settings, trusting a new
certificate, a channel's AI types, and the per-channel commands."""

from typing import Any, cast

from django import forms

from rop.lan.models import AI_TYPES

from .drivers import PTZ_MOVES
from .lan_devices import PASSWORD_AGAIN, PLACE, same_place
from .models import Device

MIN_INTERVAL_MS = 2000


class LanDeviceForm(forms.Form):
    lan_host = forms.CharField(label="Address", max_length=255, help_text="The camera's or NVR's IP address or name.")
    lan_port = forms.IntegerField(label="Port", initial=80, min_value=1, max_value=65535)
    lan_use_https = forms.TypedChoiceField(
        label="Protocol",
        choices=[("false", "HTTP"), ("true", "HTTPS")],
        coerce=lambda v: v == "true",
        initial="false",
    )
    lan_username = forms.CharField(label="User name", max_length=64, initial="admin")
    # Never rendered back: the password is written, not shown.
    lan_password = forms.CharField(
        label="Password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    lan_status_interval_ms = forms.IntegerField(
        label="Status interval (ms)",
        initial=5000,
        min_value=MIN_INTERVAL_MS,
        max_value=3_600_000,
        help_text="How often motion and AI state are read; 2,000 ms at the least.",
    )
    lan_timeout_ms = forms.IntegerField(label="Request timeout (ms)", initial=8000, min_value=500, max_value=60_000)

    def clean_lan_host(self) -> str:
        host = str(self.cleaned_data["lan_host"]).strip().strip("[]")
        if not host or any(c.isspace() or c in "/?#@" for c in host):
            raise forms.ValidationError("Give an IP address or a host name, without a scheme or path.")
        return host


class LanSettingsForm(LanDeviceForm):
    """Editing: a blank password keeps the stored one, as long as the device stays where that
    password was checked (its address, port and protocol)."""

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["lan_password"].required = False
        self.fields[
            "lan_password"
        ].help_text = (
            "Leave blank to keep the current password (only while the address, port and protocol stay the same)."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        complete = all(name in data for name in PLACE)
        if complete and not data.get("lan_password") and not same_place(self.device, data):
            self.add_error("lan_password", PASSWORD_AGAIN)
        return data


def settings_initial(device: Device) -> dict[str, Any]:
    return {
        "lan_host": device.lan_host,
        "lan_port": device.lan_port,
        "lan_use_https": "true" if device.lan_use_https else "false",
        "lan_username": device.lan_username,
        "lan_status_interval_ms": device.lan_status_interval_ms,
        "lan_timeout_ms": device.lan_timeout_ms,
    }


class TrustCertificateForm(forms.Form):
    fingerprint = forms.CharField(max_length=95)
    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm that this is the certificate to trust."}
    )


class ChannelAiForm(forms.Form):
    channel = forms.IntegerField(min_value=0, max_value=31)
    ai_types = forms.MultipleChoiceField(
        choices=[(t, t.replace("_", "/")) for t in AI_TYPES], required=False, widget=forms.CheckboxSelectMultiple
    )


class ChannelForm(forms.Form):
    channel = forms.TypedChoiceField(coerce=int, initial=0)

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["channel"])
        field.choices = [(i, f"Channel {i}") for i in range(max(1, device.channel_count))]


class LanPtzForm(ChannelForm):
    move = forms.ChoiceField(choices=[(m, m) for m in PTZ_MOVES])
    speed = forms.IntegerField(min_value=1, max_value=64, initial=32, required=False)
    duration = forms.FloatField(
        min_value=0.1, max_value=60, required=False, help_text="Seconds, then the console sends Stop."
    )

    def clean_speed(self) -> int:
        speed = self.cleaned_data["speed"]
        return 32 if speed is None else int(speed)


class PresetForm(ChannelForm):
    preset = forms.IntegerField(min_value=1, max_value=64)
    name = forms.CharField(required=False, max_length=64)


class SpotlightForm(ChannelForm):
    on = forms.TypedChoiceField(choices=[("true", "on"), ("false", "off")], coerce=lambda v: v == "true")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(error_messages={"required": "Tick the box to confirm."})
