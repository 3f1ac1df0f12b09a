"""One form field with its label, help text and errors, in Bootstrap 5 markup: `{{ form.x|as_field }}`.

The same markup as crispy-bootstrap5's `|as_crispy_field` (tests/test_fields.py compares the two
for every kind of field the portal renders this way), built in Python instead of with crispy's
field template and its includes. That template costs about half a millisecond per field; the
booking form has twelve, on the page people open most after the calendar (bench/RESULTS.md, the
load test). Fields this module does not know (radio buttons, several checkboxes, files, anything
crispy puts in a fieldset, forms with a crispy FormHelper) are handed to crispy unchanged.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_field import (
    is_checkbox,
    is_checkboxselectmultiple,
    is_file,
    is_radioselect,
    is_select,
)
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.forms import boundfield
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _add_classes(field: boundfield.BoundField, classes: str) -> None:
    """What crispy's `{% crispy_field field 'class' '...' %}` does to the widget before rendering it:
    the widget's own class name, then each of `classes` that is not there yet."""
    widget = field.field.widget
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    present = css.split()
    for cls in classes.split():
        if cls not in present:
            css += f" {cls}"
            present.append(cls)
    widget.attrs["class"] = css


REQUIRED = format_html('<span class="asteriskField">{}</span>', "*")


def _required_mark(field):
    return REQUIRED if field.field.required else ""


def _help_and_errors(field):
    errors = help_text = ""
    if field.errors:
        lines = format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
        )
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>', field.errors.field_id, lines
        )
    if field.help_text:
        # As crispy does (|safe): help texts are the portal's own words, never a resident's.
        text = mark_safe(field.help_text)  # noqa: S308
        if field.auto_id:
            help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, text)
        else:
            help_text = format_html('<div class="form-text">{}</div>', text)
    return format_html("{}{}", errors, help_text)


def _css(field) -> str:
    css = field.css_classes()
    return f" {css}" if css else ""


@register.filter
def as_field(field):
    """A field as crispy-bootstrap5 renders it, for the common kinds; anything else goes to crispy."""
    if not isinstance(field, boundfield.BoundField):
        return as_crispy_field(field)
    if (
        getattr(field.form, "helper", None) is not None
        or is_radioselect(field)
        or is_checkboxselectmultiple(field)
        or is_file(field)
        or field.use_fieldset  # several inputs in one field (radio buttons, a date in parts...)
    ):
        return as_crispy_field(field)
    if field.is_hidden:
        return str(field)
    invalid = " is-invalid" if field.errors else ""
    required = " requiredField" if field.field.required else ""
    if is_checkbox(field):
        _add_classes(field, "form-check-input" + invalid)
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
            '<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
            field.auto_id,
            _css(field),
            str(field),
            field.id_for_label,
            required,
            field.label,
            _required_mark(field),
            _help_and_errors(field),
        )
    _add_classes(field, ("form-select" if is_select(field) else "form-control") + invalid)
    label = ""
    if field.label:
        classes = "form-label" + required
        if field.id_for_label:
            label = format_html(
                '<label for="{}" class="{}">{}{}</label>',
                field.id_for_label,
                classes,
                field.label,
                _required_mark(field),
            )
        else:
            label = format_html('<label class="{}">{}{}</label>', classes, field.label, _required_mark(field))
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        field.auto_id,
        _css(field),
        label,
        str(field),
        _help_and_errors(field),
    )
