"""core.widget_html writes the markup Django's widget templates write, character for character."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.widget_html import PYTHON_WIDGETS
from devices.filters import DeviceFilterForm


class Sample(forms.Form):
    text = forms.CharField(required=False, max_length=10, widget=forms.TextInput(attrs={"placeholder": 'a "<b>" & c'}))
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    number = forms.IntegerField(required=False, min_value=1, max_value=5, widget=forms.NumberInput(attrs={"x": False}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    plain = forms.ChoiceField(required=False, choices=[("", "Any"), ("a", "A & <b>"), (3, "three")])
    grouped = forms.ChoiceField(required=False, choices=[("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")])])
    several = forms.MultipleChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    ticked = forms.BooleanField(required=False)


def both(data: dict[str, object] | None) -> list[tuple[str, str]]:
    python, templates = Sample(data, renderer=PYTHON_WIDGETS), Sample(data, renderer=DjangoTemplates())
    python.is_valid()
    templates.is_valid()
    return [(str(python[name]), str(templates[name])) for name in Sample.base_fields]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "x'\"<&>", "search": "q", "number": "3", "hidden": "h&", "plain": "a", "grouped": "y"},
        {"text": "far too long a value", "number": "nine", "plain": "nope", "several": ["a", "b"], "ticked": "on"},
        {"plain": "3", "number": "7"},
    ],
)
def test_it_writes_the_same_markup_as_the_widget_templates(data):
    for python, templates in both(data):
        assert python == templates


def test_it_writes_the_device_filter_controls_as_the_templates_did():
    data = {"q": "<x>", "online": "no", "battery_below": "0", "alarm": "off", "tag": 'a"b', "model": "RLC"}
    fast, slow = DeviceFilterForm(data), DeviceFilterForm(data, renderer=DjangoTemplates())
    assert not fast.is_valid() and not slow.is_valid()
    written = [str(field) for field in fast.filter_fields()]
    assert written == [str(field) for field in slow.filter_fields()]
    assert 'value="&lt;x&gt;"' in written[0] and "aria-invalid" in "".join(written)
