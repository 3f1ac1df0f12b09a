"""The form renderer (settings.FORM_RENDERER): Django's, with the commonest widgets built in Python.

Django renders every input, select and option through its template engine: an `<input>` is two
templates (input.html and attrs.html), a select of twenty options forty-odd. That is about 0.1 ms a
template, and the booking form, the page people use most after the calendar, had over fifty
(bench/RESULTS.md, the load test). Here inputs, checkboxes, selects with their options and text
areas are built directly, to exactly the markup of Django's own templates (tests/test_form_renderer.py
compares the two for every kind of widget and value); every other template goes to Django's renderer
unchanged. An app that overrode one of these widget templates would be skipped here; a test makes
sure none does.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "time",
        "datetime",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"
BUILT_IN = INPUTS | {SELECT, OPTION, TEXTAREA}


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it is marked safe."""
    return conditional_escape("%s" % (value,))  # noqa: UP031 - exactly what the filter does


def _shown(value) -> str:
    """`{{ value }}`: in local time, localised (numbers and dates), as text, escaped unless safe."""
    return conditional_escape(str(localize(template_localtime(value))))


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    kind, name = _shown(widget["type"]), _shown(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    value, label = _formatted(option["value"]), _shown(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


class Renderer(DjangoTemplates):
    """Django's template renderer; the widgets in BUILT_IN are built without the template engine."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name not in BUILT_IN or (
            template_name == SELECT
            and any(o["template_name"] != OPTION for _, g, _ in widget["optgroups"] for o in g)
        ):
            return super().render(template_name, context, request=request)
        if template_name in INPUTS:
            return _input(widget)
        if template_name == OPTION:
            return _option(widget)
        if template_name == TEXTAREA:
            text = _shown(widget["value"]) if widget["value"] else ""
            return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
        return _select(widget)


def _select(widget: dict) -> str:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        parts.extend(f"\n  {_option(option)}\n" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
