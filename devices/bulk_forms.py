from typing import Any

from django import forms
from django.http import QueryDict

from core.form_messages import error_lines
from partners.models import Partner

from .filters import DeviceFilterForm, filter_values
from .models import BulkAction, Tag
from .selection import SelectionField


class BulkActionForm(forms.Form):
    """A bulk action from the device list: the pressed button is `action`; the devices
    are the ticked `device` ids, or every device matching `filters` (the list's query
    string) when `all_matching` is ticked."""

    action = forms.ChoiceField(
        choices=BulkAction.choices,
        error_messages={"required": "Choose an action.", "invalid_choice": "Choose an action from the list."},
    )
    all_matching = forms.BooleanField(required=False)
    device = SelectionField()
    filters = forms.CharField(required=False, max_length=2000)
    pir_enabled = forms.BooleanField(required=False, label="PIR enabled")
    pir_sensitivity = forms.IntegerField(required=False, min_value=0, max_value=100, label="Sensitivity")
    pir_reduce_mistakes = forms.BooleanField(required=False, label="Reduce false alarms")
    tag = forms.CharField(required=False, max_length=50)
    confirm_reboot = forms.BooleanField(required=False)

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_tag(self) -> str:
        tag = str(self.cleaned_data["tag"]).strip()
        # The list joins tag names with a control character (selectors.TAG_SEPARATOR).
        if any(ord(c) < 32 or ord(c) == 127 for c in tag):
            raise forms.ValidationError("A tag cannot contain control characters.")
        return tag

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        missing_sensitivity = data.get("pir_sensitivity") is None and not self.has_error("pir_sensitivity")
        if action == BulkAction.SET_PIR and missing_sensitivity:
            self.add_error("pir_sensitivity", "Give a sensitivity from 0 to 100.")
        if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG) and not data.get("tag") and not self.has_error("tag"):
            self.add_error("tag", "Give a tag name.")
        if action == BulkAction.REBOOT and not data.get("confirm_reboot"):
            self.add_error("confirm_reboot", "Tick the box to confirm the reboot.")
        if (
            action == BulkAction.REMOVE_TAG
            and data.get("tag")
            and not Tag.objects.filter(partner=self.partner, name=data["tag"]).exists()
        ):
            self.add_error("tag", f"No device has the tag “{data['tag']}”.")
        self._clean_targets(data)
        return data

    def _clean_targets(self, data: dict[str, Any]) -> None:
        data["device_ids"], data["filter_values"], data["sort"] = [], {}, None
        if data.get("all_matching"):
            # The filter the list was showing, read exactly as the list reads it.
            list_form = DeviceFilterForm(QueryDict(data.get("filters") or ""))
            if not list_form.is_valid():
                self.add_error(
                    None,
                    "The list's filter is not valid, so “all matching” cannot be worked out: "
                    + " ".join(error_lines(list_form)),
                )
                return
            data["filter_values"], data["sort"] = filter_values(list_form.cleaned_data), list_form.cleaned_data["sort"]
            return
        data["device_ids"] = data.get("device") or []
        if not data["device_ids"] and not self.has_error("device"):
            self.add_error(None, "Select at least one device, or tick “all matching”.")

    def params(self) -> dict[str, Any]:
        """The job's parameters for its action (what the audit log shows)."""
        data, action = self.cleaned_data, self.cleaned_data["action"]
        if action == BulkAction.SET_PIR:
            return {
                "enabled": data["pir_enabled"],
                "sensitivity": data["pir_sensitivity"],
                "reduce_mistakes": data["pir_reduce_mistakes"],
            }
        if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
            return {"tag": data["tag"]}
        return {}
