"""Forms for residents' ideas and polls. The rules live in activities.ideas; these parse input."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput, TimeInput
from activities.ideas import house_members
from activities.models import Idea, Poll
from activities.timeutil import make_local


def _member_field(house, *, label, help_text, empty_label=None, required=False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=house_members(house),
        label=label,
        required=required,
        empty_label=empty_label,
        help_text=help_text,
        error_messages={"invalid_choice": _("Choose a member of this house.")},
    )


class IdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Your idea in a few words"),
        max_length=100,
        error_messages={"required": _("Give your idea a title.")},
        help_text=_("For example: Cooking together with neighbours."),
    )
    description = forms.CharField(
        label=_("What would you like to do?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    helpers = forms.CharField(
        label=_("Who could help?"),
        max_length=300,
        required=False,
        help_text=_("Yourself, a neighbour, an organisation? You may leave this empty."),
    )

    def __init__(self, *args, house, can_enter_for: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if can_enter_for:
            self.fields["proposer"] = _member_field(
                house,
                label=_("Whose idea is it?"),
                empty_label=_("My own idea"),
                help_text=_(
                    "Heard on paper or by phone? Choose the member. It is recorded that you wrote it down."
                ),
            )
            self.order_fields(["proposer", "title", "description", "helpers"])


class SupportForm(forms.Form):
    """Support or withdraw; enter_for holders may name the member they do it for."""

    action = forms.ChoiceField(choices=[("support", "support"), ("withdraw", "withdraw")])

    def __init__(self, *args, house=None, can_enter_for: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_enter_for:
            self.fields["person"] = _member_field(
                house,
                label=_("Member"),
                empty_label=None,
                required=False,
                help_text=_("Support collected on paper or by phone. It is recorded that you added it."),
            )


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(v, capfirst(label)) for v, label in Idea.Status.choices]
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for “not now”. The person who proposed the idea gets an e-mail with it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == Idea.Status.NOT_NOW and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Say why this idea is not for now. The person who proposed it reads this.")
            )
        return data


class PollForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=200,
        error_messages={"required": _("Write the question.")},
        help_text=_("For example: Which three themes do you want this spring?"),
    )
    description = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    options = forms.CharField(
        label=_("Answers, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Between 2 and 10 answers."),
        error_messages={"required": _("Give between 2 and 10 different answers.")},
    )
    max_choices = forms.IntegerField(
        label=_("How many answers may people choose?"),
        min_value=1,
        max_value=10,
        initial=1,
    )
    closes_on = forms.DateField(label=_("Open until (day)"), widget=DateInput())
    closes_time = forms.TimeField(label=_("Open until (time)"), widget=TimeInput(), initial=dt.time(23, 59))
    results = forms.ChoiceField(
        label=_("When do people see the results?"),
        choices=Poll.Results.choices,
        initial=Poll.Results.AFTER_VOTE,
        widget=forms.RadioSelect,
    )

    def clean_options(self) -> list[str]:
        texts: list[str] = []
        for line in self.cleaned_data["options"].splitlines():
            text = line.strip()
            if text and text.casefold() not in {t.casefold() for t in texts}:
                texts.append(text)
        if not 2 <= len(texts) <= 10:
            raise forms.ValidationError(_("Give between 2 and 10 different answers."))
        if any(len(t) > 120 for t in texts):
            raise forms.ValidationError(_("Keep each answer under 120 characters."))
        return texts

    def clean(self):
        data = super().clean()
        texts, n = data.get("options"), data.get("max_choices")
        if texts and n and n > len(texts):
            self.add_error(
                "max_choices",
                _("People cannot choose more answers than there are (%(n)s).") % {"n": len(texts)},
            )
        day, time = data.get("closes_on"), data.get("closes_time")
        if day and time:
            try:
                data["closes_at"] = make_local(day, time)
            except forms.ValidationError as err:
                self.add_error("closes_time", err)
            else:
                if data["closes_at"] <= timezone.now():
                    self.add_error("closes_on", _("Choose a moment in the future for the poll to close."))
        return data


class VoteForm(forms.Form):
    def __init__(
        self, *args, poll: Poll, house=None, can_enter_for: bool = False, voted: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        choices = [(o.pk, o.text) for o in poll.options.all()]
        if poll.max_choices > 1:
            self.fields["options"] = forms.TypedMultipleChoiceField(
                label=_("Your answer"),
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose at most %(n)s.") % {"n": poll.max_choices},
                error_messages={
                    "required": _("Choose an answer."),
                    "invalid_choice": _("Choose from the answers of this poll."),
                },
            )
        else:
            self.fields["options"] = forms.TypedChoiceField(
                label=_("Your answer"),
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer."),
                    "invalid_choice": _("Choose from the answers of this poll."),
                },
            )
        if can_enter_for:
            self.fields["person"] = _member_field(
                house,
                label=_("Whose answer is it?"),
                empty_label=None if voted else _("My own answer"),
                required=voted,
                help_text=_(
                    "Heard on paper or by phone? Choose the member. It is recorded that you entered it."
                ),
            )
            self.order_fields(["person", "options"])

    def option_ids(self) -> list[int]:
        value = self.cleaned_data["options"]
        return list(value) if isinstance(value, list) else [value]
