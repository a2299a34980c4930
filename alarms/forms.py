from typing import Any

from django import forms
from django.conf import settings

from .allow_list import parse_networks
from .models import MAX_ALLOWED_NETWORKS, AlarmSettings


class AlarmSettingsForm(forms.Form):
    retention_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Keep alarms for (days)",
        widget=forms.NumberInput(attrs={"class": "narrow-input"}),
    )
    allowed_networks = forms.CharField(
        required=False,
        max_length=4000,
        label="Addresses allowed to post alarms",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "203.0.113.0/24\n2001:db8::/32"}),
        help_text="One address or network (CIDR) per line. Empty: any address, the secret alone decides.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = settings.ALARM_RETENTION_DAYS
        kept = f"{default} days" if default > 0 else "kept forever"
        help_text = f"Older alarms are deleted every hour. Empty: the console's default, {kept}."
        self.fields["retention_days"].help_text = help_text

    @classmethod
    def for_settings(cls, alarm_settings: AlarmSettings) -> "AlarmSettingsForm":
        return cls(
            initial={
                "retention_days": alarm_settings.retention_days,
                "allowed_networks": "\n".join(alarm_settings.allowed_networks),
            }
        )

    def clean_allowed_networks(self) -> list[str]:
        networks, problems = parse_networks(self.cleaned_data["allowed_networks"] or "")
        if problems:
            raise forms.ValidationError(problems)
        if len(networks) > MAX_ALLOWED_NETWORKS:
            raise forms.ValidationError(f"At most {MAX_ALLOWED_NETWORKS} networks; merge neighbours into wider ones.")
        return networks
