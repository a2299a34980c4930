from typing import Any

from django import forms
from django.contrib.auth.models import User

from .models import Membership, Partner, Role


# ModelForm is generic only in django-stubs; Django cannot subscript it at runtime.
class PartnerSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    # Write-only: the stored token is never sent back to the browser.
    new_gateway_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        label="Gateway token",
        help_text="Leave blank to keep the current token.",
    )
    clear_gateway_token = forms.BooleanField(required=False, label="Remove the stored token")

    class Meta:
        model = Partner
        fields = [
            "name",
            "rop_base_url",
            "gateway_auth_header",
            "request_budget",
            "powered_poll_seconds",
            "battery_poll_seconds",
            "health_retention_days",
        ]

    def clean_gateway_auth_header(self) -> str:
        header: str = self.cleaned_data["gateway_auth_header"].strip()
        if header and not all(c.isalnum() or c == "-" for c in header):
            raise forms.ValidationError("A header name is letters, digits and dashes.")
        return header

    def save(self, commit: bool = True) -> Partner:
        partner: Partner = super().save(commit=False)
        if self.cleaned_data.get("clear_gateway_token"):
            partner.gateway_token = ""
        elif self.cleaned_data.get("new_gateway_token"):
            partner.gateway_token = self.cleaned_data["new_gateway_token"]
        if commit:
            partner.save()
        return partner


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active user has this username.")
        if Membership.objects.filter(user=user, partner=self.partner).exists():
            raise forms.ValidationError("This user is already a member.")
        self.user = user
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
