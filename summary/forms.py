"""The period chooser (a GET form), the targets of a house and a story with its quotes."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from summary.models import Quote, Story, TargetFigure
from summary.periods import KIND_LABELS

ISO = "%Y-%m-%d"
QUOTE_SLOTS = (1, 2, 3)
MAX_TARGET = 1_000_000


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO)


class PeriodForm(forms.Form):
    """Only rendered: the view reads the address itself (summary.periods.parse_period)."""

    periode = forms.ChoiceField(label=_("Period"), choices=list(KIND_LABELS.items()), required=False)
    van = forms.DateField(
        label=_("From"),
        required=False,
        widget=_date_input(),
        help_text=_("For a month, quarter or year: a day in it. Empty: the current one."),
    )
    tot = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=_date_input(),
        help_text=_("Only for dates of your own."),
    )


class TargetsForm(forms.Form):
    """One number per figure; empty means no target."""

    def __init__(self, *args, current: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in TargetFigure.choices:
            self.fields[value] = forms.IntegerField(
                label=capfirst(label),
                required=False,
                min_value=1,
                max_value=MAX_TARGET,
                initial=current.get(value),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
                error_messages={
                    "min_value": _("Enter 1 or more, or leave the field empty for no target."),
                    "max_value": _("That is more than a house can do in a pilot. Check the number."),
                    "invalid": _("Enter a whole number, like 40."),
                },
            )

    def targets(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(value) for value in TargetFigure.values}


class StoryForm(forms.ModelForm):
    """A story and up to three quotes. Validates; never saves itself (summary.services does)."""

    class Meta:
        model = Story
        fields = ["first_day", "last_day", "title", "text"]
        widgets = {
            "first_day": _date_input(),
            "last_day": _date_input(),
            "text": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"first_day": _("First day"), "last_day": _("Last day")}
        help_texts = {
            "text": _("What happened in this period, and what did you learn? No names of residents."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quotes = list(self.instance.quotes.all()) if self.instance.pk else []
        text_field, who_field = Quote._meta.get_field("text"), Quote._meta.get_field("said_by")
        for n in QUOTE_SLOTS:
            quote = quotes[n - 1] if len(quotes) >= n else None
            self.fields[f"quote_{n}"] = forms.CharField(
                label=_("Quote %(n)s: what was said") % {"n": n},
                required=False,
                max_length=text_field.max_length,
                initial=quote.text if quote else "",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Only with the permission of the person who said it."),
            )
            self.fields[f"said_by_{n}"] = forms.CharField(
                label=_("Quote %(n)s: who said it") % {"n": n},
                required=False,
                max_length=who_field.max_length,
                initial=quote.said_by if quote else "",
                help_text=who_field.help_text,
            )

    def clean(self):
        data = super().clean()
        for n in QUOTE_SLOTS:
            text = (data.get(f"quote_{n}") or "").strip()
            if (data.get(f"said_by_{n}") or "").strip() and not text:
                self.add_error(f"quote_{n}", _("Add what was said, or empty both fields of this quote."))
        return data

    def quotes(self) -> list[tuple[str, str]]:
        """The filled-in quotes in order: (text, said by)."""
        return [
            (self.cleaned_data[f"quote_{n}"].strip(), self.cleaned_data[f"said_by_{n}"].strip())
            for n in QUOTE_SLOTS
            if self.cleaned_data.get(f"quote_{n}", "").strip()
        ]

    def story_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self):
        # Validate a copy, so a rejected edit leaves the story on the page as it was.
        import copy

        self.instance = copy.copy(self.instance)
        super()._post_clean()
