from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from residents.models import House, User


class ReadOnceChoiceIterator(forms.models.ModelChoiceIterator):
    """The options of a ModelChoiceField from its queryset's own result cache. Django's iterator reads
    the queryset again with QuerySet.iterator() every time the options are needed (each rendering
    of the select, each check of the number of options); this one reads it once per form, or not at
    all when the view has the rows already (`field.rows`)."""

    def _rows(self):
        return self.queryset if self.field.rows is None else self.field.rows

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self._rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._rows())


class ReadOnceModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are read from the database at most once per form. A view that
    has read them already sets `rows` (the same rows as the queryset, which still checks the answer)."""

    iterator = ReadOnceChoiceIterator
    rows = None


class SignupExtraForm(forms.Form):
    """What allauth's sign-up asks besides e-mail and password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("The name others in the house see, for example Fatima or Jan de Vries."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    age_confirmed = forms.BooleanField(
        label=_("I am 16 years or older"),
        required=True,
        error_messages={"required": _("You can only make an account if you are 16 or older.")},
    )

    def signup(self, request, user: User) -> None:
        user.name = self.cleaned_data["name"]
        user.language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        user.save(update_fields=["name", "language"])


class JoinForm(forms.Form):
    motivation = forms.CharField(
        label=_("Anything you want to tell the staff? (not required)"),
        help_text=_("For example your address in the neighbourhood, so they can verify you."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Ask to join")))


class ChooseHouseForm(forms.Form):
    house = ReadOnceModelChoiceField(
        label=_("Which house?"),
        queryset=House.objects.filter(is_active=True, ended_at__isnull=True),
        empty_label=_("Choose a house"),
        error_messages={"invalid_choice": _("This house does not exist. Choose one from the list.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            # Only houses you are not a resident of yet.
            self.fields["house"].queryset = self.fields["house"].queryset.exclude(
                memberships__user=user, memberships__role__in=["resident", "student"]
            )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("verify", _("Verify")), ("decline", _("Decline"))],
        error_messages={"invalid_choice": _("Choose verify or decline.")},
    )
    note = forms.CharField(
        label=_("Note to the person (not required)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RegisterResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone number (not required)"), max_length=30, required=False)
    email = forms.EmailField(
        label=_("E-mail address (not required)"),
        required=False,
        help_text=_("Leave empty if the person has no e-mail. They then cannot log in themselves."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Register resident")))


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


def danger_button(label) -> Submit:
    """A red submit button for what cannot be undone (crispy's Submit is always btn-primary)."""
    button = Submit("submit", label)
    button.field_classes = "btn btn-danger"
    return button


class LeaveForm(forms.Form):
    """Deleting one's own account: one box to tick, so it never happens by a slip."""

    understood = forms.BooleanField(
        label=_("I understand that my account and my data are deleted, and that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "leave-form"
        self.helper.add_input(danger_button(_("Delete my account")))


class EraseOnRequestForm(forms.Form):
    """Staff delete an account because the person asked for it; how they asked goes in the log."""

    class Asked(models.TextChoices):
        IN_PERSON = "in_person", _("in person, at the house")
        PHONE = "phone", _("by phone")
        WRITING = "writing", _("by letter or e-mail")

    asked = forms.ChoiceField(
        label=_("How did the person ask for it?"),
        choices=Asked.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the person asked for it.")},
    )
    understood = forms.BooleanField(
        label=_("The person asked for this themself. I understand that it cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that the person asked for it.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "erase-form"
        self.helper.add_input(danger_button(_("Delete this account")))
