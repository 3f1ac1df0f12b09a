"""Forms for sign-ups entered by staff, attendance, and the reminder setting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Signup
from activities.signups import MAX_WALK_INS
from residents.models import Membership, User


class SignupForForm(forms.Form):
    """A coordinator or staff member signs up a member (a paper list, a phone call)."""

    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Who?"),
        help_text=_("Members of the house, also those without an e-mail address."),
        error_messages={"invalid_choice": _("Choose a member of this house.")},
    )

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.filter(
                memberships__house=house,
                memberships__status=Membership.Status.ACTIVE,
                is_active=True,
            )
            .distinct()
            .order_by("name")
        )


class AttendanceForm(forms.Form):
    """Tick who of the signed-up list came, and count those who came without signing up."""

    came = forms.MultipleChoiceField(
        label=_("Who came?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Tick only people on the list.")},
    )
    walk_ins = forms.IntegerField(
        label=_("How many people came without signing up?"),
        min_value=0,
        max_value=MAX_WALK_INS,
        initial=0,
        error_messages={
            "required": _("Enter a number; 0 if nobody else came."),
            "invalid": _("Enter a whole number, for example 4."),
            "min_value": _("The number of people cannot be below zero."),
            "max_value": _("That is more than %(limit_value)s people. Check the number, or ask the staff."),
        },
    )

    def __init__(self, *args, signups: list[Signup], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["came"].choices = [(str(s.pk), s.person.name or str(s.person)) for s in signups]

    def came_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["came"]}


class RemindersForm(forms.Form):
    reminders = forms.BooleanField(
        label=User._meta.get_field("reminders").verbose_name,
        required=False,
    )
