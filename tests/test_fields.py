"""`|as_field` (wijkhuis.templatetags.fields) gives the same markup as crispy's `|as_crispy_field`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.template import engines

from activities.forms import BookingForm, DayForm
from activities.models import Room

CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
OURS = engines["django"].from_string("{% load fields %}{{ field|as_field }}")


def normal(html: str) -> str:
    """Whitespace does not matter in this markup: runs become one space, none between tags."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    html = re.sub(r">\s+<", "><", html)
    html = re.sub(r"\s+>", ">", html)
    html = re.sub(r">\s+", ">", html)
    return re.sub(r"\s+<", "<", html)


class Every(forms.Form):
    """Every kind of field the portal's templates render one by one."""

    required_css_class = "required"
    error_css_class = "has-error"

    text = forms.CharField(label="Naam", max_length=20, help_text="Zoals op de deur.")
    optional = forms.CharField(label="Bijnaam", required=False)
    area = forms.CharField(label="Tekst", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    number = forms.IntegerField(label="Aantal", min_value=1, max_value=9)
    email = forms.EmailField(label="E-mail", required=False)
    day = forms.DateField(label="Dag", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Tijd", widget=forms.TimeInput(attrs={"type": "time", "class": "narrow"}))
    choice = forms.ChoiceField(label="Keuze", choices=[("", "Kies"), ("a", "A & B"), ("b", "<b>")])
    several = forms.MultipleChoiceField(label="Meer", choices=[("a", "A"), ("b", "B")], required=False)
    tick = forms.BooleanField(label="Akkoord", help_text="Lees eerst de regels.")
    optional_tick = forms.BooleanField(label="Openbaar", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)
    radio = forms.ChoiceField(label="Radio", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    moment = forms.SplitDateTimeField(label="Moment", required=False)  # a fieldset of two inputs
    picture = forms.ImageField(label="Foto", required=False)


BAD = {
    "text": "x" * 30,
    "number": "99",
    "email": "geen-adres",
    "day": "31-02",
    "time": "25:00",
    "choice": "z",
    "moment_0": "morgen",
}


def both(make):
    """The field as crispy renders it and as we do, each from a fresh form (rendering adds classes
    to the widget, as crispy does)."""
    a, b = make(), make()
    return [(name, CRISPY.render({"field": a[name]}), OURS.render({"field": b[name]})) for name in a.fields]


@pytest.mark.parametrize("data", [None, BAD, {**BAD, "tick": "on", "hidden": "<x>", "text": "<script>"}])
def test_every_kind_of_field_is_rendered_as_crispy_does(data):
    for name, crispy, ours in both(lambda: Every(data)):
        assert normal(ours) == normal(crispy), name


def test_errors_are_really_rendered_in_the_comparison():
    """A negative control: the bound form has errors, so the comparison above covers them."""
    form = Every(BAD)
    html = OURS.render({"field": form["number"]})
    assert "is-invalid" in html and 'class="invalid-feedback"' in html and "aria-invalid" in html
    assert normal(html) != normal(OURS.render({"field": Every()["number"]}))


def test_text_is_escaped():
    form = Every({**BAD, "text": '"><script>alert(1)</script>'})
    html = OURS.render({"field": form["text"]})
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("bound", [False, True])
def test_booking_forms_are_rendered_as_crispy_does(bound, house, resident):
    Room.objects.create(house=house, name="Woonkamer", rules="Laat het netjes achter.")
    Room.objects.create(house=house, name="Keuken")
    person = resident
    data = {"date": "gisteren", "start": "10:00", "end": "09:00", "attendees": "0", "repeat": "weekly"}
    initial = {"date": dt.date(2026, 11, 23), "attendees": 2}

    def booking():
        data_or_none = data if bound else None
        return BookingForm(data_or_none, house=house, user=person, can_book_for=True, initial=initial)

    def day():
        return DayForm({"datum": "x"} if bound else None, house=house)

    for make in (booking, day):
        for name, crispy, ours in both(make):
            assert normal(ours) == normal(crispy), name


def test_options_the_view_has_read_are_not_read_again(
    house, other_house, resident, django_assert_num_queries
):
    rooms = [Room.objects.create(house=house, name=name) for name in ("Woonkamer", "Keuken")]
    elsewhere = Room.objects.create(house=other_house, name="Zaal")
    form = BookingForm(house=house, user=resident, can_book_for=False, rooms=rooms)
    with django_assert_num_queries(0):
        html = OURS.render({"field": form["room"]}) + OURS.render({"field": form["room"]})
    assert html.count("Woonkamer") == 2 and "Zaal" not in html
    # The answer is still checked against the database: a room of another house is refused.
    data = {"room": elsewhere.pk, "date": "2026-11-23", "start": "10:00", "end": "11:00"}
    bound = BookingForm(data, house=house, user=resident, can_book_for=False, rooms=rooms)
    assert not bound.is_valid() and "room" in bound.errors


def test_options_are_read_once_per_form(house, resident, django_assert_num_queries):
    Room.objects.create(house=house, name="Woonkamer")
    form = DayForm(house=house)
    with django_assert_num_queries(1):
        for _ in range(3):
            OURS.render({"field": form["ruimte"]})
        assert len(form.fields["ruimte"].choices) == 1
