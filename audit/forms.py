from django import forms


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    device = forms.CharField(required=False, max_length=16, label="Device UID")
    user = forms.CharField(required=False, max_length=150)
    result = forms.CharField(required=False, max_length=32)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
