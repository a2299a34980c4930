from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from rop import errors as rop_errors
from rop import validation as rop_validation
from rop.addresses import url_host_port, validate_base_url

from .login_throttle import lock_message
from .models import Partner, Role
from .rop_clients import core_server_policy


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
            "time_zone",
            "require_two_factor_for_admins",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank keeps the stored zone (forms that predate the field post none).
        self.fields["time_zone"].required = False

    def clean_time_zone(self) -> str:
        value: str = (self.cleaned_data.get("time_zone") or "").strip()
        return value or self.instance.time_zone or "UTC"

    def clean_rop_base_url(self) -> str:
        """The rules rop.Transport enforces, and an address the console may connect to
        now. Connections check again (a name may resolve elsewhere later): this is for
        a clear message where the URL is chosen."""
        url: str = self.cleaned_data["rop_base_url"]
        try:
            validate_base_url(url)
        except rop_errors.InvalidParameter as exc:
            raise forms.ValidationError(exc.message) from None
        if self.instance.pk is not None and url == self.initial.get("rop_base_url"):
            # Unchanged: while its DNS is down an admin must still be able to change the
            # rest (poll intervals, budget); every connection checks the address anyway.
            return url
        host, port = url_host_port(url)
        try:
            core_server_policy().resolve(host, port)
        except rop_errors.AddressRefused as exc:
            raise forms.ValidationError(exc.message) from None
        except (OSError, UnicodeError, ValueError):
            raise forms.ValidationError(f"The host {host} does not resolve to an address. Check its name.") from None
        return url

    def clean_gateway_auth_header(self) -> str:
        header: str = self.cleaned_data["gateway_auth_header"].strip()
        if header and not all(c.isalnum() or c == "-" for c in header):
            raise forms.ValidationError("A header name is letters, digits and dashes.")
        if header:
            try:
                rop_validation.validate_header_name(header)
            except rop_errors.InvalidParameter as exc:
                raise forms.ValidationError(exc.message) from None
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


class InviteForm(forms.Form):
    # 150: the longest user name, which an account made from the invitation takes.
    email = forms.EmailField(max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return email.strip().lower()


class InvitationSignupForm(forms.Form):
    """A new account for an invitation's email address (its user name too)."""

    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first, User(username=self.email, email=self.email))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        max_length=32,
        label="Code",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class LoginForm(AuthenticationForm):
    """Django's login form, saying so when the user name is locked by the throttle across
    addresses (partners/login_throttle.py) instead of "wrong password": the message is the
    same whether the name exists or not."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            wait = getattr(self.request, "login_wait_seconds", 0)
            if wait:
                raise ValidationError(lock_message(wait), code="throttled") from None
            raise
