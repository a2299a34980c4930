"""A form renderer that writes plain inputs and selects in Python.

Django renders every widget through the template engine: input.html includes
attrs.html, select.html includes an option template per choice. The device list's ten
filter controls cost about 3 ms a page that way, as much as the rest of its template
(docs/device-list.md). This renderer writes the same markup as those templates
(Django's `django/forms/widgets/*.html`, character for character) with the same
escaping, and hands any other widget to the templates as before. A form opts in with
`default_renderer = PYTHON_WIDGETS`."""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("input", "text", "number", "search", "hidden", "email", "url")
)
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


class PythonWidgets(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        widget = context.get("widget")
        if widget is not None and template_name in _INPUTS:
            return _input(widget)
        if widget is not None and template_name == _SELECT and _plain_options(widget):
            return _select(widget)
        return super().render(template_name, context, request)


PYTHON_WIDGETS = PythonWidgets()


def _text(value: object) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape."""
    return str(conditional_escape(value if isinstance(value, SafeData) else str(value)))


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _plain_options(widget: dict[str, Any]) -> bool:
    return all(option["template_name"] == _OPTION for _, options, _ in widget["optgroups"] for option in options)


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
