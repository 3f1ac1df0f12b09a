"""Forms for buddies. They parse input and say what is wrong in plain words; care.buddies has the rules."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from care.buddies import partner_choices
from care.models import Buddy, BuddyKind, Match, MatchCheckin
from residents.text import clean_line, clean_text, is_phone_number

MAX_LENGTH_MESSAGE = _("This can have at most %(limit_value)d characters. Now it has %(show_value)d.")


class LineField(forms.CharField):
    """One line of text, its spaces tidied before the length is counted."""

    def to_python(self, value):
        return clean_line(super().to_python(value))


class TextField(forms.CharField):
    """Text with one kind of line break, so a browser's CR LF does not count twice against the limit."""

    def to_python(self, value):
        return clean_text(super().to_python(value))


def _helper() -> FormHelper:
    """The template draws the <form>, its error summary and its button; crispy draws the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class BuddyForm(forms.Form):
    """Ask for a buddy or offer to be one. The wording follows the side."""

    kinds = forms.MultipleChoiceField(
        choices=BuddyKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one thing."),
            "invalid_choice": _("Choose from the list."),
        },
    )
    languages = LineField(
        label=_("Which languages do you speak?"),
        max_length=Buddy._meta.get_field("languages").max_length,
        help_text=_("For example: Dutch, Arabic, a little English."),
        error_messages={"required": _("Say which languages you speak."), "max_length": MAX_LENGTH_MESSAGE},
    )
    available = LineField(
        label=_("When do you have time?"),
        max_length=Buddy._meta.get_field("available").max_length,
        help_text=_("For example: Tuesday afternoon, or at the weekend."),
        error_messages={"required": _("Say when you have time."), "max_length": MAX_LENGTH_MESSAGE},
    )
    about = TextField(
        label=_("Anything else you want to tell us? (optional)"),
        max_length=Buddy._meta.get_field("about").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinator reads this, not your buddy."),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )
    contact_by = forms.ChoiceField(
        label=_("How may your buddy reach you?"),
        choices=Buddy.ContactBy.choices,
        widget=forms.RadioSelect,
        help_text=_("Your buddy sees this only when you have both said yes."),
        error_messages={
            "required": _("Choose how your buddy may reach you."),
            "invalid_choice": _("Choose how your buddy may reach you."),
        },
    )
    phone = LineField(
        label=_("Your phone number"),
        max_length=Buddy._meta.get_field("phone").max_length,
        required=False,
        help_text=_("Needed when you choose your phone number. The coordinator may also call you on it."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )

    def __init__(self, *args, side: str, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        if side == Buddy.Side.ASK:
            self.fields["kinds"].label = _("What would you like help or company with?")
        else:
            self.fields["kinds"].label = _("What would you like to help with?")
        self.fields["kinds"].help_text = _("Choose one or more.")
        if person.email:
            self.fields["contact_by"].choices = [
                (Buddy.ContactBy.PHONE, _("my phone number")),
                (Buddy.ContactBy.EMAIL, _("my e-mail address (%(email)s)") % {"email": person.email}),
            ]
        else:
            self.fields["contact_by"].choices = [(Buddy.ContactBy.PHONE, _("my phone number"))]
        if not self.is_bound:
            self.initial.setdefault("phone", person.phone)
            self.initial.setdefault(
                "contact_by",
                Buddy.ContactBy.PHONE if person.phone or not person.email else Buddy.ContactBy.EMAIL,
            )
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        phone = data.get("phone", "")
        if data.get("contact_by") == Buddy.ContactBy.PHONE and not phone and "phone" not in self.errors:
            self.add_error("phone", _("Give your phone number, or choose your e-mail address."))
        elif phone and not is_phone_number(phone):
            self.add_error("phone", _("This does not look like a phone number. For example: 06 12345678."))
        return data


class IntakeForm(forms.Form):
    """What the team records after the introduction talk."""

    partner = forms.ModelChoiceField(
        label=_("Care or welfare partner involved (optional)"),
        queryset=None,
        required=False,
        empty_label=_("none"),
        error_messages={"invalid_choice": _("Choose a partner of this house from the list.")},
    )
    vog_seen_at = forms.DateField(
        label=_("Certificate of conduct (VOG) seen on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date on which you saw the certificate. Leave empty if you have not seen it."),
        error_messages={"invalid": _("Give a date, for example 14-03-2026.")},
    )
    note = TextField(
        label=_("Note for the team (optional)"),
        max_length=Buddy._meta.get_field("team_note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the coordinators and staff of the house read this. Write only what you need."),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )

    def __init__(self, *args, buddy: Buddy, **kwargs):
        kwargs.setdefault(
            "initial",
            {"partner": buddy.partner_id, "vog_seen_at": buddy.vog_seen_at, "note": buddy.team_note},
        )
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(buddy.house)
        if buddy.side != Buddy.Side.OFFER:
            del self.fields["vog_seen_at"]
        self.helper = _helper()


class BuddyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Buddy) -> str:
        parts = [obj.person.name, ", ".join(obj.kind_labels()), obj.languages, obj.available]
        if obj.intake_at is None:
            parts.append(str(_("no intake yet")))
        if obj.side == Buddy.Side.OFFER and obj.vog_seen_at is None:
            parts.append(str(_("no VOG seen")))
        return " · ".join(parts)


class ProposeForm(forms.Form):
    """Two selects and a note. The options are the waiting ones; any of the house's is accepted, so
    the service can say precisely why one cannot be matched (stopped, already proposed, ...)."""

    ask = BuddyChoiceField(
        label=_("Request"),
        queryset=None,
        empty_label=_("Choose a request"),
        error_messages={
            "required": _("Choose a request."),
            "invalid_choice": _("Choose a request from the list."),
        },
    )
    offer = BuddyChoiceField(
        label=_("Offer"),
        queryset=None,
        empty_label=_("Choose an offer"),
        error_messages={
            "required": _("Choose an offer."),
            "invalid_choice": _("Choose an offer from the list."),
        },
    )
    note = LineField(
        label=_("Why these two? (both read this)"),
        max_length=Match._meta.get_field("note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: you both like walking and have time on Tuesday afternoon. "
            "No names, addresses or health details: they see each other only when both say yes."
        ),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )

    def __init__(self, *args, house, user, waiting_asks, waiting_offers, **kwargs):
        super().__init__(*args, **kwargs)
        of_house = Buddy.objects.for_team(user).filter(house=house).select_related("person")
        self.fields["ask"].queryset = of_house
        self.fields["offer"].queryset = of_house
        for name, waiting, empty in (
            ("ask", waiting_asks, _("Choose a request")),
            ("offer", waiting_offers, _("Choose an offer")),
        ):
            field = self.fields[name]
            field.choices = [("", empty), *((b.pk, field.label_from_instance(b)) for b in waiting)]
        self.helper = _helper()


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("yes", _("yes")), ("no", _("no"))],
        error_messages={"required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")},
    )


class EndForm(forms.Form):
    reason = LineField(
        label=_("Why do you stop? (optional, only the coordinator reads this)"),
        max_length=Match._meta.get_field("end_reason").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )
    stop_mine = forms.BooleanField(
        label=_("I do not want a new buddy for now"),
        required=False,
        help_text=_("Without this tick the coordinator looks for a new buddy for you."),
    )

    def __init__(self, *args, team: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if team:
            del self.fields["stop_mine"]
            self.fields["reason"].label = _("Why does it stop? (optional, for the team)")
        self.helper = _helper()


class CheckinForm(forms.Form):
    feeling = forms.ChoiceField(
        label=_("How is it going with your buddy?"),
        choices=MatchCheckin.Feeling.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how it is going."),
            "invalid_choice": _("Choose how it is going."),
        },
    )
    text = TextField(
        label=_("Anything you want to tell the coordinator? (optional)"),
        max_length=MatchCheckin._meta.get_field("text").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinator reads this, not your buddy."),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
