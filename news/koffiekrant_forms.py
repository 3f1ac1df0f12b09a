"""Forms of the koffiekrant: choosing a week, and the students' word."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.timeutil import week_start
from news.koffiekrant import FIRST_YEAR, LAST_YEAR, WORD_MAX, clean_word, monday_of

ISO_WEEK = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")


class WeekForm(forms.Form):
    """A week as the browser's week picker sends it (2026-W48), or any date in that week."""

    week = forms.CharField(
        label=_("Which week?"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "week"}),
        help_text=_("For example 2026-W48, or a date in that week like 25-11-2026."),
    )

    def clean_week(self) -> dt.date:
        value = self.cleaned_data["week"]
        match = ISO_WEEK.match(value)
        if match:
            year, number = int(match[1]), int(match[2])
            try:
                return monday_of(year, number)
            except ValueError:
                raise forms.ValidationError(
                    _("Week %(week)s of %(year)s does not exist. Choose another week."),
                    params={"week": number, "year": year},
                    code="no_such_week",
                ) from None
        for fmt in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                return week_start(day)
        raise forms.ValidationError(_("Choose a week, for example 2026-W48."), code="invalid")


class WordForm(forms.Form):
    """The students' word of one issue; Markdown, checked again by the service."""

    students_word = forms.CharField(
        label=_("Your word to the neighbours"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": WORD_MAX}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students_word"].help_text = gettext(
            "At most %(max)s characters. You can use Markdown: **bold**, *italic*, a list with - at "
            "the start of a line. An empty line starts a new paragraph."
        ) % {"max": WORD_MAX}

    def clean_students_word(self) -> str:
        text = clean_word(self.cleaned_data.get("students_word", ""))
        if len(text) > WORD_MAX:
            raise forms.ValidationError(
                _("The word may have at most %(max)s characters; now it has %(count)s."),
                params={"max": WORD_MAX, "count": len(text)},
                code="too_long",
            )
        return text
