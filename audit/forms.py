from django import forms

# The fields that choose entries (not the page cursor), for links that keep the filter.
EXPORT_FILTERS = ("action", "device", "user", "result", "since", "until")


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    device = forms.CharField(required=False, max_length=16, label="Device UID")
    user = forms.CharField(required=False, max_length=150)
    result = forms.CharField(required=False, max_length=32)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
