from django import forms

from .report_data import PERIODS


class PeriodForm(forms.Form):
    """The reports page's period: 7, 30 or 90 days (7 when absent)."""

    days = forms.ChoiceField(required=False, choices=[(str(d), f"{d} days") for d in PERIODS], label="Period")

    def clean_days(self) -> int:
        return int(self.cleaned_data["days"] or PERIODS[0])
