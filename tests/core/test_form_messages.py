"""core.form_messages: a form's errors as sentences and as flash messages."""

from django import forms
from django.contrib.messages import ERROR, get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from core.form_messages import add_error_messages, error_lines


class PirLikeForm(forms.Form):
    sensitivity = forms.IntegerField(label="Sensitivity", max_value=100)
    battery_below = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        self.add_error(None, "Select at least one device.")
        return data


def test_it_leads_each_field_error_with_the_fields_label():
    form = PirLikeForm({"sensitivity": "150", "battery_below": "0"})
    assert error_lines(form) == [
        "Sensitivity: Ensure this value is less than or equal to 100.",
        # No label given: Django's own, from the field's name.
        "Battery below: Ensure this value is greater than or equal to 1.",
        "Select at least one device.",
    ]


def test_it_gives_each_error_its_own_line():
    form = PirLikeForm({"sensitivity": "x"})
    form.add_error("sensitivity", "And another thing.")
    lines = error_lines(form)
    assert "Sensitivity: Enter a whole number." in lines and "Sensitivity: And another thing." in lines


def test_it_answers_no_lines_for_a_valid_form():
    class Valid(forms.Form):
        name = forms.CharField()

    assert error_lines(Valid({"name": "Back door"})) == []


def test_it_turns_each_error_into_an_error_message():
    request = RequestFactory().post("/")
    for middleware in (SessionMiddleware, MessageMiddleware):
        middleware(lambda r: HttpResponse()).process_request(request)
    add_error_messages(request, PirLikeForm({"sensitivity": ""}))
    stored = [(m.level, m.message) for m in get_messages(request)]
    assert stored == [(ERROR, "Sensitivity: This field is required."), (ERROR, "Select at least one device.")]
