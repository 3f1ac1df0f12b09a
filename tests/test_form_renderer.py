"""wijkhuis.form_renderer builds the common widgets with exactly the markup of Django's templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from wijkhuis import form_renderer

DJANGO, OURS = DjangoTemplates(), form_renderer.Renderer()

NASTY = 'a "quote" & <b>tag</b>'
CHOICES = [("", "Kies"), ("a", NASTY), (1, "Eén"), ("safe", mark_safe("<em>veilig</em>"))]
GROUPED = [("Groep <1>", [("x", "X"), ("y", "Y")]), ("z", "Z zonder groep")]
# Labels that are not text: localised and in local time, as the template shows them.
ODD_LABELS = [
    (1, Decimal("1.5")),
    (2, dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)),
    (3, dt.date(2026, 1, 2)),
]

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"class": "form-control", "maxlength": 80, "required": True, "disabled": False}),
    forms.NumberInput(attrs={"min": 1, "max": Decimal("2.5"), "step": 0.5}),
    forms.EmailInput(attrs={"autocomplete": "email", "data-x": NASTY}),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateInput(),
    forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    forms.DateTimeInput(),
    forms.CheckboxInput(),
    forms.CheckboxInput(attrs={"aria-describedby": "help"}),
    forms.Textarea(attrs={"rows": 2}),
    forms.Select(choices=CHOICES),
    forms.Select(choices=GROUPED, attrs={"class": "form-select"}),
    forms.Select(choices=ODD_LABELS),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
]
VALUES = [
    None,
    "",
    "gewoon",
    NASTY,
    mark_safe("<i>al veilig</i>"),
    gettext_lazy("Name"),
    0,
    7,
    Decimal("1234.5"),
    dt.date(2026, 11, 23),
    dt.time(9, 5),
    dt.datetime(2026, 11, 23, 14, 30),
    dt.datetime(2026, 11, 23, 13, 30, tzinfo=dt.UTC),
    True,
    False,
    "a",
    1,
    ["a", 1],
    "unknown",
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_widget_and_value_renders_as_with_djangos_templates(widget, language):
    compared = 0
    with override(language):
        for value in VALUES:
            for attrs in (None, {"id": "id_x"}, {"id": "id_x", "aria-invalid": "true", "hidden": True}):
                try:
                    expected = widget.render("veld", value, attrs=attrs, renderer=DJANGO)
                except TypeError:  # a value this widget cannot take (a list for a yes/no select)
                    with pytest.raises(TypeError):
                        widget.render("veld", value, attrs=attrs, renderer=OURS)
                    continue
                got = widget.render("veld", value, attrs=attrs, renderer=OURS)
                assert got == expected, (value, attrs)
                compared += 1
    assert compared >= (len(VALUES) - 1) * 3


def test_the_comparison_sees_a_difference():
    """A negative control: a renderer that leaves out the attributes does not pass."""

    class Sloppy(form_renderer.Renderer):
        def render(self, template_name, context, request=None):
            context["widget"]["attrs"] = {}
            return super().render(template_name, context, request)

    widget = forms.TextInput(attrs={"class": "form-control"})
    assert widget.render("veld", "x", renderer=Sloppy()) != widget.render("veld", "x", renderer=DJANGO)


def test_other_templates_still_go_to_djangos_renderer():
    form = forms.Form()
    assert OURS.render("django/forms/div.html", {"form": form}) == DJANGO.render(
        "django/forms/div.html", {"form": form}
    )
    with pytest.raises(TemplateDoesNotExist):
        OURS.render("django/forms/widgets/bestaat-niet.html", {"widget": {}})


def test_no_installed_app_overrides_a_widget_this_renderer_builds():
    """Django's renderer looks in every app's templates/; an app that overrode one of these widgets
    would be skipped here, so none may."""
    for name in form_renderer.BUILT_IN:
        origin = DJANGO.get_template(name).origin.name
        assert "/django/forms/templates/" in origin, (name, origin)


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "wijkhuis.form_renderer.Renderer"
    assert isinstance(get_default_renderer(), form_renderer.Renderer)
