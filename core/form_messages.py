"""A form's errors as sentences, for places that cannot show them next to the field:
a flash message after a redirect, a summary above a toolbar, a plain-text answer."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest


def error_lines(form: forms.Form) -> list[str]:
    """One line per error, led by its field's label ("Sensitivity: Enter a whole
    number."); errors about the whole form have no label."""
    lines: list[str] = []
    for name, errors in form.errors.items():
        label = "" if name == NON_FIELD_ERRORS or name not in form.fields else f"{form[name].label}: "
        lines.extend(f"{label}{error}" for error in errors)
    return lines


def add_error_messages(request: HttpRequest, form: forms.Form) -> None:
    """Each of the form's errors as an error message for the next page."""
    for line in error_lines(form):
        messages.error(request, line)
